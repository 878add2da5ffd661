use super::*;
use serde_json::json;

#[test]
fn token_prefers_id_token() {
    let body = r#"{"success": true, "message": "ok", "data": {"jwt_token": "J", "id_token": "I",
            "token_type": "Bearer", "expires_in": 3600, "tenant_id": "t", "scopes": ["voice-api.upload"]}}"#;
    let r = TokenResponse::from_json(body).unwrap();
    assert_eq!(r.token(), Some("I"));
    assert_eq!((r.success, r.message.as_str(), r.data.expires_in, r.data.tenant_id.as_str()), (true, "ok", 3600, "t"));
    assert_eq!(r.data.scopes, vec![UPLOAD_SCOPE.to_string()]);

    let only_jwt = TokenResponse::from_json(r#"{"data": {"jwt_token": "J", "id_token": ""}}"#).unwrap();
    assert_eq!(only_jwt.token(), Some("J"));
    let only_id = TokenResponse::from_json(r#"{"data": {"id_token": "I", "jwt_token": null}}"#).unwrap();
    assert_eq!(only_id.token(), Some("I"));
    let none = TokenResponse::from_json(r#"{"success": false, "message": "no"}"#).unwrap();
    assert_eq!(none.token(), None);
    for not_an_answer in ["", "[]", "\"token\"", "{\"data\":", "<html>"] {
        assert_eq!(TokenResponse::from_json(not_an_answer), None, "{not_an_answer:?}");
    }
}

#[test]
fn token_response_tolerates_odd_servers() {
    let r = TokenResponse::from_json(
        r#"{"data": {"id_token": "I", "token_type": null,
            "expires_in": "900", "tenant_id": null, "scopes": null}}"#,
    )
    .unwrap();
    assert_eq!(r.data.token_type, "Bearer");
    assert_eq!(r.data.expires_in, 900);
    assert!(r.data.scopes.is_empty());
    let r = TokenResponse::from_json(r#"{"data": {"jwt_token": "J", "expires_in": 3600.0}}"#).unwrap();
    assert_eq!(r.data.expires_in, 3600);
    // Wrong types read as absent rather than failing the whole answer.
    let r = TokenResponse::from_json(r#"{"success": "yes", "data": {"jwt_token": 5, "id_token": "I", "expires_in": -3, "scopes": [1, "s"]}}"#).unwrap();
    assert_eq!(
        (r.success, r.data.jwt_token.as_deref(), r.token(), r.data.expires_in, r.data.scopes.clone()),
        (false, None, Some("I"), 0, vec!["s".to_string()])
    );
}

#[test]
fn token_request_has_the_documented_shape() {
    assert_eq!(TokenRequest::default().to_json(), r#"{"scopes":["voice-api.upload"]}"#);
}

#[test]
fn upload_request_has_the_documented_shape() {
    let req = UploadRequest::new("voicenote-2026-11-21T10-00-00-000Z.webm", 123_456, "webm", 12.34, 48_000, 1, 128_000);
    let v: serde_json::Value = serde_json::from_str(&req.to_json()).unwrap();
    assert_eq!(
        v,
        json!({"file_name": "voicenote-2026-11-21T10-00-00-000Z.webm", "file_size": 123456,
        "audio_format": "webm", "duration_seconds": 12.34, "use_multipart": false,
        "sdk_metadata": {"duration_seconds": 12.34, "sample_rate": 48000, "channels": 1,
                         "bit_rate": 128000, "codec": "webm", "file_size_bytes": 123456}})
    );
    assert!(UploadRequest::new("a.wav", 6_000_000, "wav", 30.0, 48_000, 1, 768_000).use_multipart);
}

fn as_serde(v: &Json) -> serde_json::Value {
    serde_json::from_str(&v.to_json()).unwrap()
}

#[test]
fn single_grant_round_trips() {
    let data = json!({"voicenote_id": "v1",
        "upload_type": "single", "presigned_url": "http://s/x", "s3_key": "k", "expires_in": 900,
        "processing_strategy": "standard", "client_processed": true, "message": "m"});
    let body = json!({"object": "upload", "request_id": "req_1", "data": data});
    let g = UploadGrant::from_envelope(&body.to_string()).unwrap();
    assert!(!g.is_multipart());
    assert_eq!(g.presigned_url.as_deref(), Some("http://s/x"));
    assert_eq!(as_serde(&g.to_value()), data);
}

#[test]
fn multipart_grant_round_trips_and_tolerates_omissions() {
    let data = json!({"voicenote_id": "v2",
        "upload_type": "multipart", "s3_key": "k", "expires_in": 900, "processing_strategy": "standard",
        "client_processed": false, "message": "m", "upload_info": {"upload_id": "u", "parts": [
            {"part_number": 1, "presigned_url": "http://s/1", "start_byte": 0, "end_byte": 5242879, "content_length": 5242880},
            {"part_number": 2, "presigned_url": "http://s/2", "start_byte": 5242880, "end_byte": 5242890, "content_length": 11}]}});
    let body = json!({"object": "upload", "request_id": "req_2", "data": data});
    let g = UploadGrant::from_envelope(&body.to_string()).unwrap();
    assert!(g.is_multipart());
    let parts = &g.upload_info.as_ref().unwrap().parts;
    assert_eq!(parts[1].len(), 11);
    assert_eq!(as_serde(&g.to_value()), data);

    // A server that leaves out the type, the envelope fields and content_length.
    let sparse = UploadGrant::from_envelope(
        r#"{"data": {"voicenote_id": "v",
            "upload_info": {"parts": [{"part_number": 1, "presigned_url": "u", "start_byte": 10, "end_byte": 19}]}}}"#,
    )
    .unwrap();
    assert!(sparse.is_multipart());
    assert_eq!(sparse.upload_info.unwrap().parts[0].len(), 10);

    for not_a_grant in ["", "{}", r#"{"data": null}"#, r#"{"data": "x"}"#, r#"[{"data": {}}]"#, "<html></html>"] {
        assert_eq!(UploadGrant::from_envelope(not_a_grant), None, "{not_a_grant:?}");
    }
}

/// What the development server writes with serde, the SDK reads with `core::json` as the same
/// values, and the other way round.
#[cfg(feature = "serde")]
#[test]
fn the_sdk_reads_what_serde_writes_and_back() {
    let grant = UploadGrant {
        voicenote_id: "v".into(),
        upload_type: UPLOAD_MULTIPART.into(),
        presigned_url: None,
        s3_key: "k".into(),
        expires_in: 900,
        processing_strategy: "standard".into(),
        client_processed: false,
        message: "m".into(),
        upload_info: Some(UploadInfo {
            upload_id: "u".into(),
            parts: vec![PartInfo { part_number: 1, presigned_url: "p".into(), start_byte: 0, end_byte: 9, content_length: 10 }],
        }),
    };
    let envelope = Envelope { object: "upload".into(), data: grant.clone(), request_id: "r".into() };
    assert_eq!(UploadGrant::from_envelope(&serde_json::to_string(&envelope).unwrap()), Some(grant.clone()));
    assert_eq!(serde_json::from_str::<UploadGrant>(&grant.to_value().to_json()).unwrap(), grant);

    let token = TokenResponse {
        success: true,
        message: "ok".into(),
        data: TokenData { jwt_token: Some("J".into()), expires_in: 60, scopes: vec!["s".into()], ..TokenData::default() },
    };
    assert_eq!(TokenResponse::from_json(&serde_json::to_string(&token).unwrap()), Some(token));

    let req = UploadRequest::new("a.ogg", 10, "ogg", 1.5, 48_000, 1, 32_000);
    assert_eq!(serde_json::from_str::<UploadRequest>(&req.to_json()).unwrap(), req);
    assert_eq!(serde_json::from_str::<TokenRequest>(&TokenRequest::default().to_json()).unwrap(), TokenRequest::default());
}

#[cfg(feature = "serde")]
#[test]
fn error_body_round_trips() {
    let body = json!({"error": {"code": 2005, "message": "Audio format not supported",
        "details": {"format": "mp3", "supported_formats": ["webm", "wav", "ogg"]}}});
    let e: ApiErrorBody = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(e.error.code, 2005);
    assert_eq!(serde_json::to_value(&e).unwrap(), body);
    let bare: ApiErrorBody = serde_json::from_value(json!({"error": {"code": 1001}})).unwrap();
    assert_eq!(serde_json::to_value(&bare).unwrap(), json!({"error": {"code": 1001, "message": ""}}));
}

#[cfg(feature = "serde")]
#[test]
fn voice_note_tolerates_missing_fields() {
    let n: VoiceNote = serde_json::from_value(json!({"id": "x", "status": "uploaded", "file_size": null})).unwrap();
    assert_eq!(n.file_size, 0);
    let full = VoiceNote {
        id: "x".into(),
        status: "uploaded".into(),
        file_size: 3,
        audio_format: "ogg".into(),
        duration_seconds: 1.5,
        created_at: "2026-01-01T00:00:00Z".into(),
        content_type: Some("audio/ogg".into()),
        ..Default::default()
    };
    assert_eq!(serde_json::from_str::<VoiceNote>(&serde_json::to_string(&full).unwrap()).unwrap(), full);
}
