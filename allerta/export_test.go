package allerta

// SaltaAnni sets whether detection skips the baseline school years, and
// returns the previous value (TestMotore_StessiSegnali compares both).
func SaltaAnni(b bool) bool {
	old := saltaAnni
	saltaAnni = b
	return old
}

var AllarmeIniziale = allarmeIniziale
