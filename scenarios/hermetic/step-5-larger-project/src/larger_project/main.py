from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> dict:
    return {"variant": "step-5-larger-project"}
