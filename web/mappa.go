package web

import (
	"html/template"
	"net/http"

	"github.com/portalescuole/portalescuole/serie"
)

// disegnaMappa is replaced when the map package lands.
func disegnaMappa(s *Server, r *http.Request, obs []serie.Osservazione) template.HTML { return "" }
