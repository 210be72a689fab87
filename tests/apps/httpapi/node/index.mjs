// Payload 2.0 and 1.0 on the real `node`: a structured answer without a content type (text/plain on an HTTP API),
// an inferred one (the whole object is the body), and an unhandled error (500 Internal Server Error).
export const handler = async (event) => {
  if (event.version === "1.0") {
    return { statusCode: 200, headers: { "content-type": "application/json" },
             body: JSON.stringify({ path: event.path, name: event.pathParameters.name, version: event.version }) };
  }
  if (event.rawPath === "/node-inferred") {
    return { message: "inferred", routeKey: event.routeKey };
  }
  if (event.rawPath === "/node-throws") {
    throw new TypeError("node says no");
  }
  console.log(`hello from node for ${event.pathParameters.name}`);
  return {
    statusCode: 201,
    cookies: ["flavour=node; Path=/", "second=2"],
    body: JSON.stringify({ rawPath: event.rawPath, routeKey: event.routeKey, name: event.pathParameters.name,
                           requestId: event.requestContext.requestId, cookies: event.cookies ?? null }),
  };
};
