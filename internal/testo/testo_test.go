package testo

import "testing"

func TestAccorda(t *testing.T) {
	cases := []struct {
		format string
		args   []any
		want   string
	}{
		{"%d {plesso|plessi}", []any{1}, "%d plesso"},
		{"%d {plesso|plessi}", []any{0}, "%d plessi"},
		{"%d {plesso|plessi}", []any{2}, "%d plessi"},
		{"%d building{s}", []any{1}, "%d building"},
		{"%d building{s}", []any{3}, "%d buildings"},
		{"%s {allerta|allerte}", []any{"1"}, "%s allerta"},
		{"%s {plesso|plessi}", []any{"2.114"}, "%s plessi"},
		{"copre {il}%s", []any{"87,5%"}, "copre l'%s"},
		{"copre {il}%s", []any{"7,5%"}, "copre il %s"},
		{"{del}%s", []any{"11%"}, "dell'%s"},
		{"{del}%s", []any{"18%"}, "del %s"},
		{"{al}%s", []any{"1,5%"}, "all'%s"},
		{"{il}%s", []any{"1.500"}, "il %s"},
		{"{il}%s", []any{"8.000"}, "l'%s"},
		{"{il}%s", []any{"80%"}, "l'%s"},
		{"{il}%s", []any{"0,0%"}, "lo %s"},
		{"{del}%s", []any{"0,5%"}, "dello %s"},
		{"100%% {x}", nil, "100%% {x}"},
		{"no marks %d", []any{1}, "no marks %d"},
		// The count is the last number before the mark.
		{"%d di %d {plesso|plessi}", []any{5, 1}, "%d di %d plesso"},
	}
	for _, c := range cases {
		if got := Accorda(c.format, c.args); got != c.want {
			t.Errorf("Accorda(%q, %v) = %q, want %q", c.format, c.args, got, c.want)
		}
	}
}
