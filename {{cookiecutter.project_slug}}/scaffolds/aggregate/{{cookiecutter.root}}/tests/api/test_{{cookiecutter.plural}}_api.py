"""/{{ cookiecutter.url }} over HTTP, on a migrated SQLite database: create (once per
``Idempotency-Key``), read (the caller's only) and list, a page at a time."""

import httpx

from tests.api.tokens import as_owner


async def create(
    client: httpx.AsyncClient, reference: str, key: str | None = None
) -> httpx.Response:
    """A create by the owner, under the Idempotency-Key ``key`` if one is given."""
    headers = as_owner() | ({"Idempotency-Key": key} if key else {})
    return await client.post("/{{ cookiecutter.url }}", json={"reference": reference}, headers=headers)


async def test_a_created_{{ cookiecutter.name }}_reads_back(client: httpx.AsyncClient) -> None:
    created = await create(client, "R-1")

    found = await client.get(f"/{{ cookiecutter.url }}/{created.json()['id']}", headers=as_owner())

    assert created.status_code == 201, created.text
    assert found.status_code == 200
    assert found.json() == created.json()


async def test_a_replay_with_the_same_key_answers_the_first_response(
    client: httpx.AsyncClient,
) -> None:
    first = await create(client, "R-1", key="k-1")

    again = await create(client, "R-1", key="k-1")

    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"


async def test_someone_else_s_is_a_404(client: httpx.AsyncClient) -> None:
    created = await create(client, "R-1")

    found = await client.get(
        f"/{{ cookiecutter.url }}/{created.json()['id']}", headers=as_owner("mallory")
    )

    assert found.status_code == 404
    assert found.json()["error"]["code"] == "{{ cookiecutter.name }}_not_found"


async def test_the_listing_pages_through_the_caller_s_newest_first(
    client: httpx.AsyncClient,
) -> None:
    for reference in ("R-1", "R-2", "R-3"):
        await create(client, reference)

    first = await client.get("/{{ cookiecutter.url }}?limit=2", headers=as_owner())
    cursor = first.json()["next_cursor"]
    rest = await client.get(f"/{{ cookiecutter.url }}?limit=2&cursor={cursor}", headers=as_owner())
    theirs = await client.get("/{{ cookiecutter.url }}", headers=as_owner("mallory"))

    listed = [item["reference"] for item in first.json()["items"] + rest.json()["items"]]
    assert sorted(listed) == ["R-1", "R-2", "R-3"]
    assert len(set(listed)) == 3
    assert rest.json()["next_cursor"] is None
    assert theirs.json()["items"] == []
