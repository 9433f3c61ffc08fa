// Fetch wrappers with typed errors (uMap's request.js pattern).
export class RequestError extends Error {}
export class HTTPError extends RequestError {
  constructor(status, body) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function getJSON(url, params = {}) {
  const query = new URLSearchParams(params).toString();
  let response;
  try {
    response = await fetch(query ? `${url}?${query}` : url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
  } catch (err) {
    throw new RequestError(String(err));
  }
  if (!response.ok) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    throw new HTTPError(response.status, body);
  }
  return response.json();
}
