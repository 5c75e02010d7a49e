package web

// Catalogo exposes the message catalogue to the browser journeys (package
// web_test), which derive from it the Italian words an English page must
// not show.
var Catalogo = catalog
