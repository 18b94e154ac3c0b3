from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> dict:
    return {"variant": "extra-1-need-for-speed"}
