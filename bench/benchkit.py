"""Shared by the benchmark scripts (run as `python bench/<name>.py`, so this folder is on sys.path)."""


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named at the end of `url` if it does not exist yet."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    server = url.rsplit("/", 1)[0]
    for maintenance_db in ("postgres", "kamai"):
        try:
            with psycopg.connect(f"{server}/{maintenance_db}", autocommit=True) as conn:
                if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                    print(f"created database {name}")
                return
        except psycopg.OperationalError:
            continue
    raise SystemExit(f"Cannot reach PostgreSQL at {server} to create {name}.")


def ensure_tool(command: str, package: str) -> str:
    """The path of `command`, installing Debian's `package` first if it is missing."""
    import os
    import shutil
    import subprocess

    if shutil.which(command) is None:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "install", "-y", package], check=True)
    found = shutil.which(command)
    if found is None:
        raise SystemExit(f"{command} not found after installing {package}")
    return found
