import subprocess

from setuptools import Extension, setup


def pg_config(flag):
    # As psycopg2 does: ask pg_config where libpq lives; fails without libpq-dev.
    return subprocess.check_output(["pg_config", flag], text=True).strip()


setup(
    ext_modules=[
        Extension(
            "pqinfo._pqinfo",
            sources=["src/pqinfo/_pqinfo.c"],
            include_dirs=[pg_config("--includedir")],
            library_dirs=[pg_config("--libdir")],
            libraries=["pq"],
        )
    ],
    packages=["pqinfo"],
    package_dir={"": "src"},
)
