from fastapi.testclient import TestClient

from compiling_dependencies.main import app


def test_root() -> None:
    response = TestClient(app).get("/")
    assert response.json() == {"variant": "step-6-compiling-dependencies"}
