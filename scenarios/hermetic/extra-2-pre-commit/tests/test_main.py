from fastapi.testclient import TestClient

from pre_commit_example.main import app


def test_root() -> None:
    response = TestClient(app).get("/")
    assert response.json() == {"variant": "extra-2-pre-commit"}
