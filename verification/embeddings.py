"""Face embeddings sealed for storage: encrypted with the private file store's keys
(`common.private_files`), so they rotate with the face photos."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from common.private_files import decrypt, encrypt


def embedding_seal(embedding: npt.ArrayLike) -> str:
    vector = np.asarray(embedding, dtype="<f4").reshape(-1)
    return encrypt(vector.tobytes()).decode("ascii")


def embedding_open(token: str) -> npt.NDArray[np.float32]:
    return np.frombuffer(decrypt(token.encode("ascii")), dtype="<f4").copy()
