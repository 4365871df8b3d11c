// The API reference at /docs: Swagger UI over the registry's OpenAPI document. A file of its own because
// the pages' Content-Security-Policy runs no inline script.
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null, // the public validator is another site: the policy would refuse it anyway
  });
});
