package store_test

import (
	"testing"

	"github.com/portalescuole/portalescuole/store"
)

// TestSettings_Pubblico: public figures are off by default; the level and
// thresholds are checked, and never go below the floor.
func TestSettings_Pubblico(t *testing.T) {
	d := store.DefaultSettings()
	if d.Pubblico() || len(d.Valida()) != 0 {
		t.Fatalf("defaults: on=%v errors=%v", d.Pubblico(), d.Valida())
	}
	for _, tc := range []struct {
		name, field string
		mod         func(*store.Settings)
	}{
		{"unknown level", "pubblico_livello", func(s *store.Settings) { s.PubblicoLivello = "comuni" }},
		{"one plesso", "pubblico_min_plessi", func(s *store.Settings) { s.PubblicoMinPlessi = "1" }},
		{"few pupils", "pubblico_min_alunni", func(s *store.Settings) { s.PubblicoMinAlunni = "19" }},
		{"not a number", "pubblico_min_alunni", func(s *store.Settings) { s.PubblicoMinAlunni = "cento" }},
		{"switch", "pubblico_attivo", func(s *store.Settings) { s.PubblicoAttivo = "sì" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := store.DefaultSettings()
			tc.mod(&s)
			if _, ok := s.Valida()[tc.field]; !ok {
				t.Fatalf("no error on %s: %v", tc.field, s.Valida())
			}
		})
	}
	s := store.DefaultSettings()
	s.PubblicoMinPlessi, s.PubblicoMinAlunni = "1", "x" // as if stored before a check
	if p, a := s.PubblicoSoglie(); p < store.MinPubblicoPlessi || a < store.MinPubblicoAlunni {
		t.Fatalf("thresholds below the floor: %d, %d", p, a)
	}
	s.PubblicoMinPlessi, s.PubblicoMinAlunni = "5", "250"
	if p, a := s.PubblicoSoglie(); p != 5 || a != 250 {
		t.Fatalf("thresholds %d, %d", p, a)
	}
}
