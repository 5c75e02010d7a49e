package web

import (
	"net/http"

	ps "github.com/portalescuole/portalescuole"
)

// Route is one entry of the route table.
type Route struct {
	Method  string
	Pattern string
	// Roles allowed; nil means public (no login needed).
	Roles   []ps.Role
	handler func(w http.ResponseWriter, r *http.Request, c *reqCtx)
	// Token routes authenticate a register vendor's API token instead of
	// a session; the token decides the plesso.
	Token bool
}

// Public reports whether the route needs neither login nor token.
func (rt Route) Public() bool { return rt.Roles == nil && !rt.Token }

var (
	anyRole   = []ps.Role{ps.RolePlesso, ps.RoleIstituto, ps.RoleATS, ps.RoleAdmin}
	plessoAcc = anyRole // narrowed per plesso by CanAccessPlesso
	atsRoles  = []ps.Role{ps.RoleATS, ps.RoleAdmin}
	admin     = []ps.Role{ps.RoleAdmin}
	// Token routes: which kind of token each accepts.
	plessoToken = []ps.Role{ps.RolePlesso}
	atsToken    = []ps.Role{ps.RoleATS}
)

func (s *Server) routeTable() []Route {
	return []Route{
		{Method: "GET", Pattern: "/healthz", handler: s.healthz},
		{Method: "GET", Pattern: "/login", handler: s.loginPage},
		{Method: "POST", Pattern: "/login", handler: s.login},
		{Method: "POST", Pattern: "/lingua", handler: s.setLang},
		{Method: "POST", Pattern: "/logout", Roles: anyRole, handler: s.logout},
		{Method: "GET", Pattern: "/password", Roles: anyRole, handler: s.passwordPage},
		{Method: "POST", Pattern: "/password", Roles: anyRole, handler: s.changePassword},
		{Method: "GET", Pattern: "/{$}", Roles: anyRole, handler: s.home},

		{Method: "GET", Pattern: "/plesso/{codice}", Roles: plessoAcc, handler: s.plessoHome},
		{Method: "GET", Pattern: "/plesso/{codice}/registro", Roles: plessoAcc, handler: s.registro},
		{Method: "GET", Pattern: "/plesso/{codice}/registro/aggiungi", Roles: plessoAcc, handler: s.registroForm},
		{Method: "POST", Pattern: "/plesso/{codice}/registro", Roles: plessoAcc, handler: s.registroSave},

		{Method: "GET", Pattern: "/plesso/{codice}/assenze", Roles: plessoAcc, handler: s.assenzePage},
		{Method: "POST", Pattern: "/plesso/{codice}/assenze", Roles: plessoAcc, handler: s.assenzeSave},
		{Method: "GET", Pattern: "/plesso/{codice}/assenze/file", Roles: plessoAcc, handler: s.filePage},
		{Method: "POST", Pattern: "/plesso/{codice}/assenze/file", Roles: plessoAcc, handler: s.fileUpload},
		{Method: "GET", Pattern: "/plesso/{codice}/assenze/modello.csv", Roles: plessoAcc, handler: s.fileModello},
		{Method: "GET", Pattern: "/plesso/{codice}/token", Roles: plessoAcc, handler: s.tokenPage},
		{Method: "POST", Pattern: "/plesso/{codice}/token", Roles: plessoAcc, handler: s.tokenCreate},
		{Method: "POST", Pattern: "/plesso/{codice}/token/{id}/revoca", Roles: plessoAcc, handler: s.tokenRevoke},
		{Method: "GET", Pattern: "/plesso/{codice}/calendario", Roles: plessoAcc, handler: s.calendarioPage},
		{Method: "POST", Pattern: "/plesso/{codice}/calendario", Roles: plessoAcc, handler: s.calendarioSave},

		{Method: "GET", Pattern: "/istituto", Roles: []ps.Role{ps.RoleIstituto}, handler: s.istitutoHome},

		{Method: "GET", Pattern: "/ats/adempimenti", Roles: atsRoles, handler: s.adempimenti},
		{Method: "GET", Pattern: "/ats/adempimenti.csv", Roles: atsRoles, handler: s.adempimentiCSV},
		{Method: "GET", Pattern: "/ats/adempimenti.xlsx", Roles: atsRoles, handler: s.adempimentiXLSX},
		{Method: "POST", Pattern: "/ats/solleciti", Roles: atsRoles, handler: s.solleciti},
		{Method: "GET", Pattern: "/ats/outbox", Roles: atsRoles, handler: s.outbox},
		{Method: "POST", Pattern: "/ats/outbox/{id}/reinvia", Roles: atsRoles, handler: s.outboxRequeue},
		{Method: "GET", Pattern: "/ats/credenziali", Roles: atsRoles, handler: s.credenzialiPage},
		{Method: "POST", Pattern: "/ats/credenziali", Roles: atsRoles, handler: s.credenziali},
		{Method: "GET", Pattern: "/ats/plessi/reset", Roles: atsRoles, handler: s.resetCerca},
		{Method: "GET", Pattern: "/ats/plessi/{codice}/reset", Roles: atsRoles, handler: s.resetConferma},
		{Method: "POST", Pattern: "/ats/plessi/{codice}/reset", Roles: atsRoles, handler: s.resetConfermato},
		{Method: "GET", Pattern: "/ats/import", Roles: atsRoles, handler: s.importPage},
		{Method: "POST", Pattern: "/ats/import", Roles: atsRoles, handler: s.importFile},

		{Method: "GET", Pattern: "/ats/sentinelle", Roles: atsRoles, handler: s.sentinellePage},
		{Method: "POST", Pattern: "/ats/sentinelle/{codice}", Roles: atsRoles, handler: s.sentinellaSet},
		{Method: "GET", Pattern: "/ats/completezza", Roles: atsRoles, handler: s.completezzaPage},
		{Method: "GET", Pattern: "/ats/emergenza", Roles: atsRoles, handler: s.emergenzaPage},
		{Method: "POST", Pattern: "/ats/emergenza", Roles: atsRoles, handler: s.emergenzaAvvia},
		{Method: "POST", Pattern: "/ats/emergenza/chiudi", Roles: atsRoles, handler: s.emergenzaChiudi},
		{Method: "GET", Pattern: "/ats/completezza.json", Roles: atsRoles, handler: s.completezzaJSON},
		{Method: "GET", Pattern: "/ats/calendario", Roles: atsRoles, handler: s.overridePage},
		{Method: "POST", Pattern: "/ats/calendario", Roles: atsRoles, handler: s.overrideSave},

		{Method: "GET", Pattern: "/ats/allerte", Roles: atsRoles, handler: s.allertePage},
		{Method: "POST", Pattern: "/ats/allerte/esegui", Roles: atsRoles, handler: s.allerteEsegui},
		{Method: "GET", Pattern: "/ats/allerte/{id}", Roles: atsRoles, handler: s.allertaPage},
		{Method: "POST", Pattern: "/ats/allerte/{id}", Roles: atsRoles, handler: s.allertaUpdate},
		{Method: "GET", Pattern: "/ats/cruscotto", Roles: atsRoles, handler: s.cruscottoPage},
		{Method: "GET", Pattern: "/ats/cruscotto/serie.json", Roles: atsRoles, handler: s.serieJSON},
		{Method: "GET", Pattern: "/ats/cruscotto/serie.csv", Roles: atsRoles, handler: s.exportSerie},
		{Method: "GET", Pattern: "/ats/cruscotto/settimane.json", Roles: atsRoles, handler: s.settimaneJSON},
		{Method: "GET", Pattern: "/ats/cruscotto/settimane.csv", Roles: atsRoles, handler: s.settimaneCSV},
		{Method: "GET", Pattern: "/ats/bollettino", Roles: atsRoles, handler: s.bollettinoPage},
		{Method: "GET", Pattern: "/ats/bollettino.pdf", Roles: atsRoles, handler: s.bollettinoPDF},
		{Method: "POST", Pattern: "/ats/bollettino/invia", Roles: atsRoles, handler: s.bollettinoInvia},
		{Method: "GET", Pattern: "/ats/export/assenze.csv", Roles: atsRoles, handler: s.exportAssenze},
		{Method: "GET", Pattern: "/ats/export/assenze.xlsx", Roles: atsRoles, handler: s.exportAssenze},
		{Method: "GET", Pattern: "/ats/export/allerte.csv", Roles: atsRoles, handler: s.exportAllerte},
		{Method: "GET", Pattern: "/ats/export/allerte.xlsx", Roles: atsRoles, handler: s.exportAllerte},
		{Method: "GET", Pattern: "/ats/export/completezza.csv", Roles: atsRoles, handler: s.exportCompletezza},
		{Method: "GET", Pattern: "/ats/export/completezza.xlsx", Roles: atsRoles, handler: s.exportCompletezza},
		{Method: "GET", Pattern: "/plesso/{codice}/andamento", Roles: plessoAcc, handler: s.andamentoPage},
		{Method: "GET", Pattern: "/plesso/{codice}/andamento.json", Roles: plessoAcc, handler: s.andamentoJSON},

		{Method: "GET", Pattern: "/pubblico", handler: s.pubblicoPage},
		{Method: "GET", Pattern: "/pubblico/anni.json", handler: s.pubblicoFile},
		{Method: "GET", Pattern: "/pubblico/bollettino", handler: s.pubblicoBollettino},
		{Method: "GET", Pattern: "/pubblico/bollettino.pdf", handler: s.pubblicoPDF},
		{Method: "GET", Pattern: "/pubblico/dati", handler: s.pubblicoSchema},
		{Method: "GET", Pattern: "/pubblico/dati/assenze-settimanali.csv", handler: s.pubblicoFile},
		{Method: "GET", Pattern: "/pubblico/dati/assenze-settimanali.json", handler: s.pubblicoFile},
		{Method: "GET", Pattern: "/pubblico/dati/catalogo.jsonld", handler: s.pubblicoFile},

		{Method: "GET", Pattern: "/api/v1/openapi.json", handler: s.apiOpenAPI},
		{Method: "GET", Pattern: "/api/v1/plesso", Roles: plessoToken, handler: s.apiPlesso, Token: true},
		{Method: "GET", Pattern: "/api/v1/assenze", Roles: plessoToken, handler: s.apiGetAssenze, Token: true},
		{Method: "POST", Pattern: "/api/v1/assenze", Roles: plessoToken, handler: s.apiPostAssenze, Token: true},
		{Method: "GET", Pattern: "/api/v1/ats/serie", Roles: atsToken, handler: s.apiATSSerie, Token: true},
		{Method: "GET", Pattern: "/api/v1/ats/assenze", Roles: atsToken, handler: s.apiATSAssenze, Token: true},
		{Method: "GET", Pattern: "/api/v1/ats/allerte", Roles: atsToken, handler: s.apiATSAllerte, Token: true},
		{Method: "GET", Pattern: "/api/v1/ats/completezza", Roles: atsToken, handler: s.apiATSCompletezza, Token: true},
		{Method: "GET", Pattern: "/ats/token", Roles: atsRoles, handler: s.atsTokenPage},
		{Method: "POST", Pattern: "/ats/token", Roles: atsRoles, handler: s.atsTokenCreate},
		{Method: "POST", Pattern: "/ats/token/{id}/revoca", Roles: atsRoles, handler: s.atsTokenRevoke},

		{Method: "GET", Pattern: "/admin/audit", Roles: admin, handler: s.auditPage},
		{Method: "GET", Pattern: "/admin/impostazioni", Roles: admin, handler: s.settingsPage},
		{Method: "POST", Pattern: "/admin/impostazioni", Roles: admin, handler: s.saveSettings},
	}
}
