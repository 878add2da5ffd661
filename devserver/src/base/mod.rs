//! The leaves: what every layer above uses and that uses nothing above it (time, the secret,
//! the request head, bodies, origins, connections, the shapes of answers).

pub mod body;
pub mod clock;
pub mod connection;
pub mod head;
pub mod keys;
pub mod origins;
pub mod replies;
