"""A real offline recogniser for the dev server's --transcribe-cmd: prints the words it hears.

`python transcribe.py FILE` decodes FILE (WebM, Ogg or WAV) to 16 kHz mono PCM with ffmpeg and
runs PocketSphinx's English model on it, restricted to the JSGF grammar of the ten digits next to it (digits.gram): on free
sentences from espeak-ng it hears nonsense, on digits it is usable (scripts/speech.sh measures it).
"""

import os
import subprocess
import sys

from pocketsphinx import Decoder, get_model_path

GRAMMAR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "digits.gram")


def pcm16k(path):
    """The file as 16-bit little-endian 16 kHz mono samples."""
    cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-i", path, "-ar", "16000", "-ac", "1", "-f", "s16le", "-"]
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout


def words(path):
    model = get_model_path()
    decoder = Decoder(hmm=os.path.join(model, "en-us", "en-us"), dict=os.path.join(model, "en-us", "cmudict-en-us.dict"), jsgf=GRAMMAR, samprate=16000, loglevel="FATAL")
    decoder.start_utt()
    decoder.process_raw(pcm16k(path), full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp else ""


if __name__ == "__main__":
    print(words(sys.argv[1]))
