from fastapi.testclient import TestClient

from larger_project.main import app


def test_root() -> None:
    response = TestClient(app).get("/")
    assert response.json() == {"variant": "step-5-larger-project"}
