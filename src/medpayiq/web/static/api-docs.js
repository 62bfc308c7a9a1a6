// Starts Swagger UI on /api/docs from files served by the app itself (the fastapi-offline
// package): no CDN, and no inline script, so the page's security policy can stay strict.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  layout: "BaseLayout",
});
