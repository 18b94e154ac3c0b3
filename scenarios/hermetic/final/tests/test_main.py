from fastapi.testclient import TestClient

from final.main import app


def test_root() -> None:
    response = TestClient(app).get("/")
    assert response.json() == {"variant": "final"}
