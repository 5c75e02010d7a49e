package generate

// provincia is one of the 107 Italian provinces (and metropolitan cities)
// whose sigla appears in the ministry's codici meccanografici: the sigla,
// the name of its capoluogo, the region, the ISTAT province code used as
// prefix of its municipalities' codes, and the resident population in
// thousands (ISTAT, rounded), used only as the weight of the province in
// the synthetic anagrafe.
type provincia struct {
	Sigla, Nome, Regione string
	Istat                int
	Pop                  int
}

// province lists the provinces in ISTAT order of region.
var province = []provincia{
	{"TO", "Torino", "Piemonte", 1, 2200},
	{"VC", "Vercelli", "Piemonte", 2, 165},
	{"NO", "Novara", "Piemonte", 3, 362},
	{"CN", "Cuneo", "Piemonte", 4, 582},
	{"AT", "Asti", "Piemonte", 5, 206},
	{"AL", "Alessandria", "Piemonte", 6, 405},
	{"BI", "Biella", "Piemonte", 96, 170},
	{"VB", "Verbania", "Piemonte", 103, 155},
	{"AO", "Aosta", "Valle d'Aosta", 7, 123},
	{"VA", "Varese", "Lombardia", 12, 880},
	{"CO", "Como", "Lombardia", 13, 595},
	{"SO", "Sondrio", "Lombardia", 14, 179},
	{"MI", "Milano", "Lombardia", 15, 3250},
	{"BG", "Bergamo", "Lombardia", 16, 1105},
	{"BS", "Brescia", "Lombardia", 17, 1255},
	{"PV", "Pavia", "Lombardia", 18, 535},
	{"CR", "Cremona", "Lombardia", 19, 350},
	{"MN", "Mantova", "Lombardia", 20, 404},
	{"LC", "Lecco", "Lombardia", 97, 333},
	{"LO", "Lodi", "Lombardia", 98, 227},
	{"MB", "Monza", "Lombardia", 108, 870},
	{"BZ", "Bolzano", "Trentino-Alto Adige", 21, 535},
	{"TN", "Trento", "Trentino-Alto Adige", 22, 545},
	{"VR", "Verona", "Veneto", 23, 925},
	{"VI", "Vicenza", "Veneto", 24, 852},
	{"BL", "Belluno", "Veneto", 25, 197},
	{"TV", "Treviso", "Veneto", 26, 876},
	{"VE", "Venezia", "Veneto", 27, 836},
	{"PD", "Padova", "Veneto", 28, 932},
	{"RO", "Rovigo", "Veneto", 29, 229},
	{"UD", "Udine", "Friuli-Venezia Giulia", 30, 517},
	{"GO", "Gorizia", "Friuli-Venezia Giulia", 31, 138},
	{"TS", "Trieste", "Friuli-Venezia Giulia", 32, 229},
	{"PN", "Pordenone", "Friuli-Venezia Giulia", 93, 310},
	{"IM", "Imperia", "Liguria", 8, 210},
	{"SV", "Savona", "Liguria", 9, 267},
	{"GE", "Genova", "Liguria", 10, 817},
	{"SP", "La Spezia", "Liguria", 11, 215},
	{"PC", "Piacenza", "Emilia-Romagna", 33, 285},
	{"PR", "Parma", "Emilia-Romagna", 34, 453},
	{"RE", "Reggio nell'Emilia", "Emilia-Romagna", 35, 525},
	{"MO", "Modena", "Emilia-Romagna", 36, 705},
	{"BO", "Bologna", "Emilia-Romagna", 37, 1015},
	{"FE", "Ferrara", "Emilia-Romagna", 38, 340},
	{"RA", "Ravenna", "Emilia-Romagna", 39, 385},
	{"FC", "Forlì", "Emilia-Romagna", 40, 393},
	{"RN", "Rimini", "Emilia-Romagna", 99, 338},
	{"MS", "Massa", "Toscana", 45, 188},
	{"LU", "Lucca", "Toscana", 46, 380},
	{"PT", "Pistoia", "Toscana", 47, 290},
	{"FI", "Firenze", "Toscana", 48, 985},
	{"LI", "Livorno", "Toscana", 49, 330},
	{"PI", "Pisa", "Toscana", 50, 417},
	{"AR", "Arezzo", "Toscana", 51, 335},
	{"SI", "Siena", "Toscana", 52, 263},
	{"GR", "Grosseto", "Toscana", 53, 216},
	{"PO", "Prato", "Toscana", 100, 258},
	{"PG", "Perugia", "Umbria", 54, 640},
	{"TR", "Terni", "Umbria", 55, 218},
	{"PU", "Pesaro", "Marche", 41, 350},
	{"AN", "Ancona", "Marche", 42, 464},
	{"MC", "Macerata", "Marche", 43, 300},
	{"AP", "Ascoli Piceno", "Marche", 44, 201},
	{"FM", "Fermo", "Marche", 109, 168},
	{"VT", "Viterbo", "Lazio", 56, 307},
	{"RI", "Rieti", "Lazio", 57, 151},
	{"RM", "Roma", "Lazio", 58, 4230},
	{"LT", "Latina", "Lazio", 59, 567},
	{"FR", "Frosinone", "Lazio", 60, 466},
	{"AQ", "L'Aquila", "Abruzzo", 66, 288},
	{"TE", "Teramo", "Abruzzo", 67, 300},
	{"PE", "Pescara", "Abruzzo", 68, 313},
	{"CH", "Chieti", "Abruzzo", 69, 372},
	{"CB", "Campobasso", "Molise", 70, 215},
	{"IS", "Isernia", "Molise", 94, 81},
	{"CE", "Caserta", "Campania", 61, 905},
	{"BN", "Benevento", "Campania", 62, 265},
	{"NA", "Napoli", "Campania", 63, 2990},
	{"AV", "Avellino", "Campania", 64, 400},
	{"SA", "Salerno", "Campania", 65, 1070},
	{"FG", "Foggia", "Puglia", 71, 600},
	{"BA", "Bari", "Puglia", 72, 1225},
	{"TA", "Taranto", "Puglia", 73, 560},
	{"BR", "Brindisi", "Puglia", 74, 377},
	{"LE", "Lecce", "Puglia", 75, 770},
	{"BT", "Barletta", "Puglia", 110, 380},
	{"PZ", "Potenza", "Basilicata", 76, 350},
	{"MT", "Matera", "Basilicata", 77, 193},
	{"CS", "Cosenza", "Calabria", 78, 670},
	{"CZ", "Catanzaro", "Calabria", 79, 345},
	{"RC", "Reggio di Calabria", "Calabria", 80, 522},
	{"KR", "Crotone", "Calabria", 101, 163},
	{"VV", "Vibo Valentia", "Calabria", 102, 152},
	{"TP", "Trapani", "Sicilia", 81, 418},
	{"PA", "Palermo", "Sicilia", 82, 1200},
	{"ME", "Messina", "Sicilia", 83, 600},
	{"AG", "Agrigento", "Sicilia", 84, 415},
	{"CL", "Caltanissetta", "Sicilia", 85, 250},
	{"EN", "Enna", "Sicilia", 86, 158},
	{"CT", "Catania", "Sicilia", 87, 1070},
	{"RG", "Ragusa", "Sicilia", 88, 315},
	{"SR", "Siracusa", "Sicilia", 89, 388},
	{"SS", "Sassari", "Sardegna", 90, 475},
	{"NU", "Nuoro", "Sardegna", 91, 200},
	{"CA", "Cagliari", "Sardegna", 92, 420},
	{"OR", "Oristano", "Sardegna", 95, 151},
	{"SU", "Carbonia", "Sardegna", 111, 336},
}

// Pieces of synthetic names (see also nomeComune): qualifiers for
// municipality names that repeat, people schools are named after, streets.
var (
	qualificatori = []string{"Superiore", "Inferiore", "di Sopra", "di Sotto", "al Piano", "in Colle", "Marina", "Scalo",
		"Terme", "Vecchio", "Nuovo", "del Lago"}
	intitolazioni = []string{"G. Mazzini", "G. Garibaldi", "A. Manzoni", "G. Rodari", "M. Montessori", "Don L. Milani",
		"E. De Amicis", "C. Collodi", "Dante Alighieri", "L. da Vinci", "G. Leopardi", "G. Marconi", "A. Volta",
		"G. Galilei", "E. Fermi", "G. Verdi", "F. Petrarca", "G. Carducci", "G. Pascoli", "I. Calvino", "R. Levi Montalcini",
		"G. Falcone", "P. Borsellino", "A. Moro", "S. Pertini", "G. Deledda", "M. Hack", "A. Frank", "C. Goldoni",
		"U. Foscolo", "G. Ungaretti", "E. Montale", "L. Pirandello", "G. Verga", "B. Croce", "A. Gramsci", "C. Cavour",
		"Papa Giovanni XXIII", "San Francesco", "Santa Chiara", "Don Bosco", "N. Sauro", "C. Battisti", "F. Baracca",
		"A. Einstein", "M. Polo", "C. Colombo", "A. Vespucci", "G. Parini", "V. Alfieri", "T. Tasso", "L. Ariosto"}
	vie = []string{"Via Roma", "Via Garibaldi", "Via Mazzini", "Via Dante", "Via Matteotti", "Via XX Settembre",
		"Via Vittorio Emanuele", "Via Cavour", "Via Verdi", "Piazza della Repubblica", "Via Marconi", "Via Gramsci",
		"Viale della Libertà", "Via San Francesco", "Via IV Novembre", "Via Manzoni", "Via Kennedy", "Via Carducci",
		"Via Leopardi", "Via della Scuola", "Via dei Mille", "Via Fiume", "Via Trieste", "Piazza Martiri"}
)

// tipoSecondaria2 is a type of secondaria di II grado: the two letters of
// its codice meccanografico, its name, and its share of the plessi.
type tipoSecondaria2 struct {
	Sigla, Nome string
	Quota       float64
}

// Every sigla here is a secondaria di II grado for
// portalescuole.GradoFromCodice (RH and the like are not).
var tipiSecondaria2 = []tipoSecondaria2{
	{"PS", "LICEO SCIENTIFICO", 0.25},
	{"PC", "LICEO CLASSICO", 0.06},
	{"PM", "LICEO DELLE SCIENZE UMANE", 0.08},
	{"PL", "LICEO LINGUISTICO", 0.08},
	{"SL", "LICEO ARTISTICO", 0.06},
	{"TD", "ISTITUTO TECNICO ECONOMICO", 0.12},
	{"TF", "ISTITUTO TECNICO TECNOLOGICO", 0.15},
	{"TL", "ISTITUTO TECNICO COSTRUZIONI AMBIENTE E TERRITORIO", 0.05},
	{"RI", "ISTITUTO PROFESSIONALE INDUSTRIA E ARTIGIANATO", 0.07},
	{"RC", "ISTITUTO PROFESSIONALE SERVIZI COMMERCIALI", 0.05},
	{"RA", "ISTITUTO PROFESSIONALE AGRICOLTURA E SVILUPPO RURALE", 0.03},
}
