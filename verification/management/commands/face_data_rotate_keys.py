from typing import Any

from django.core.management.base import BaseCommand

from verification.services import face_data_rotate_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every face photo, frame and embedding with the first key of "
        "FACE_DATA_KEYS (run after putting a new key first; then old keys can be removed)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        files, tokens = face_data_rotate_keys()
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {files} files and {tokens} embeddings.")
        )
