from fastapi.testclient import TestClient

from need_for_speed.main import app


def test_root() -> None:
    response = TestClient(app).get("/")
    assert response.json() == {"variant": "extra-1-need-for-speed"}
