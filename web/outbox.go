package web

import (
	"net/http"
	"strconv"

	ps "github.com/portalescuole/portalescuole"
)

func (s *Server) outbox(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	msgs, err := s.db.OutboxMessages(r.Context(), 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	counts, err := s.db.OutboxCounts(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "outbox", s.newPage(r, c, "ats.outbox", map[string]any{"Messages": msgs, "Counts": counts}))
}

func (s *Server) outboxRequeue(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, &ps.Error{Code: ps.ENotFound, Message: "err.notfound.outbox"})
		return
	}
	if err := s.db.RequeueOutbox(r.Context(), actor(r, c.user), id); err != nil {
		s.fail(w, r, err)
		return
	}
	if s.cfg.Wake != nil {
		s.cfg.Wake()
	}
	http.Redirect(w, r, "/ats/outbox", http.StatusSeeOther)
}
