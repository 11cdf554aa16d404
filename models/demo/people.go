package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"retreat/models"
)

// A company spread the way remote companies are: most people in a few
// hubs, the rest wherever they live. Weights are head counts out of 300;
// other sizes are scaled by largest remainder (see allocate), so every
// zone appears as soon as there are enough people. Asia/Kolkata (+05:30)
// and Asia/Kathmandu (+05:45) are the zones off the hour.
var zones = []struct {
	name   string
	weight int
	names  *namePool
}{
	{"America/New_York", 40, &northAmerica},
	{"America/Los_Angeles", 30, &northAmerica},
	{"America/Toronto", 12, &northAmerica},
	{"America/Mexico_City", 10, &hispanic},
	{"America/Sao_Paulo", 16, &lusophone},
	{"Europe/London", 26, &british},
	{"Europe/Lisbon", 10, &lusophone},
	{"Europe/Berlin", 36, &continental},
	{"Europe/Warsaw", 16, &polish},
	{"Africa/Lagos", 14, &nigerian},
	{"Africa/Nairobi", 10, &kenyan},
	{"Africa/Johannesburg", 6, &southAfrican},
	{"Asia/Kolkata", 26, &indian},
	{"Asia/Kathmandu", 2, &nepali},
	{"Asia/Ho_Chi_Minh", 6, &vietnamese},
	{"Asia/Singapore", 10, &southeastAsian},
	{"Asia/Manila", 6, &southeastAsian},
	{"Asia/Tokyo", 8, &japanese},
	{"Australia/Sydney", 10, &oceanian},
	{"Pacific/Auckland", 6, &oceanian},
}

// namePool is where the display names of one region come from.
type namePool struct {
	first, last []string
	// familyFirst writes the family name first, as Vietnamese names are.
	familyFirst bool
	// long are full names longer than the generated ones, used once each.
	long []string
}

var (
	northAmerica = namePool{
		first: []string{"James", "Emily", "Michael", "Olivia", "Daniel", "Sophia", "Chris", "Hannah", "Tyler", "Madison",
			"Jordan", "Ashley", "Marcus", "Brianna", "Kevin", "Rachel", "Ethan", "Grace", "Noah", "Avery", "Dakota", "Jean-Luc", "Geneviève"},
		last: []string{"Johnson", "Williams", "Brown", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore",
			"Jackson", "White", "Harris", "Clark", "Lewis", "Robinson", "O'Connor", "MacDonald", "Tremblay", "Gagnon", "Nakamura"},
		long: []string{"Elizabeth Montgomery-Richardson", "Christopher Alexander Whitfield"},
	}
	hispanic = namePool{
		first: []string{"Sofía", "Mateo", "Valentina", "Santiago", "Camila", "Sebastián", "Ximena", "Andrés", "Regina", "Diego", "Guadalupe", "Emilio"},
		last:  []string{"García", "Rodríguez", "Hernández", "López", "Martínez", "González", "Pérez", "Sánchez", "Ramírez", "Flores", "Castañeda"},
		long:  []string{"María José Fernández de la Fuente"},
	}
	lusophone = namePool{
		first: []string{"João", "Luíza", "Gabriel", "Mariana", "Thiago", "Fernanda", "Inês", "Rui", "Beatriz", "Duarte", "Conceição", "Vinícius"},
		last:  []string{"Silva", "Santos", "Oliveira", "Souza", "Costa", "Ferreira", "Gonçalves", "Araújo", "Pereira", "Carvalho", "Magalhães"},
		long:  []string{"Maria Fernanda Albuquerque-Vasconcelos"},
	}
	british = namePool{
		first: []string{"Oliver", "Amelia", "Harry", "Isla", "George", "Poppy", "Niamh", "Siobhán", "Callum", "Freya", "Rhys", "Aoife", "Priya", "Tom"},
		last:  []string{"Smith", "Jones", "Evans", "Hughes", "Murphy", "O'Brien", "Kelly", "Patel", "Thompson", "Walsh", "Ó Súilleabháin", "Fitzgerald"},
		long:  []string{"Bartholomew Fotheringham-Smythe"},
	}
	continental = namePool{
		first: []string{"Zoë", "Søren", "Matthias", "Anaïs", "Björn", "Élodie", "Jürgen", "Ingrid", "Chiara", "Luca", "Jonas", "Lena",
			"Felix", "Clara", "Annika", "Pierre", "Giulia", "Lars", "Maëlle", "Jørgen"},
		last: []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Jensen", "Nielsen", "Sørensen", "Andersson", "Dubois",
			"Lefèvre", "Rossi", "Bianchi", "de Vries", "van der Berg", "Østergaard", "Grünewald"},
		long: []string{"Zoë Ødegård-Lindqvist", "Friederike Schwarzenbach-Hohenstein"},
	}
	polish = namePool{
		first: []string{"Łukasz", "Małgorzata", "Katarzyna", "Tomasz", "Agnieszka", "Paweł", "Zofia", "Michał", "Jędrzej", "Ewa"},
		last:  []string{"Nowak", "Kowalski", "Lewandowski", "Dąbrowski", "Wójcik", "Kamiński", "Zieliński", "Szymański", "Woźniak"},
		long:  []string{"Grzegorz Brzęczyszczykiewicz"},
	}
	nigerian = namePool{
		first: []string{"Chidi", "Ngozi", "Oluwaseun", "Adaeze", "Tunde", "Funmilayo", "Emeka", "Chiamaka", "Babajide", "Zainab"},
		last:  []string{"Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Abubakar", "Nwosu", "Adebayo", "Ogunleye"},
		long:  []string{"Oluwatobiloba Adebayo-Williamson"},
	}
	kenyan = namePool{
		first: []string{"Wanjiru", "Otieno", "Achieng", "Kamau", "Njeri", "Kipchoge", "Amani", "Wambui"},
		last:  []string{"Mwangi", "Otieno", "Kariuki", "Njoroge", "Ochieng", "Wekesa", "Chebet"},
	}
	southAfrican = namePool{
		first: []string{"Thabo", "Lerato", "Sipho", "Nomvula", "Pieter", "Anika", "Zanele"},
		last:  []string{"Nkosi", "Dlamini", "Mokoena", "Ndlovu", "van Wyk", "Botha"},
	}
	indian = namePool{
		first: []string{"Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Lakshmi", "Arjun", "Divya", "Karthik", "Meera",
			"Siddharth", "Aditi", "Rahul", "Sneha", "Ishaan", "Kavya"},
		last: []string{"Sharma", "Iyer", "Reddy", "Nair", "Gupta", "Menon", "Chatterjee", "Banerjee", "Desai", "Joshi",
			"Subramanian", "Mukherjee"},
		long: []string{"Venkataraghavan Krishnamurthy", "Lakshmi Narayanan Subramaniam"},
	}
	nepali = namePool{
		first: []string{"Bikash", "Sushila", "Pratik", "Anjali"},
		last:  []string{"Shrestha", "Thapa", "Gurung", "Adhikari"},
	}
	vietnamese = namePool{
		first:       []string{"Minh Anh", "Văn An", "Thị Hoa", "Quốc Huy", "Thu Trang", "Đức Thắng", "Ngọc Linh"},
		last:        []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ"},
		familyFirst: true,
	}
	southeastAsian = namePool{
		first: []string{"Wei Ling", "Jun Jie", "Mei Xin", "Siti", "Arif", "Maria Clara", "Jose Miguel", "Andrea", "Paolo", "Nurul"},
		last:  []string{"Tan", "Lim", "Wong", "Ng", "Santos", "Reyes", "Cruz", "Bautista", "Rahman"},
	}
	japanese = namePool{
		first: []string{"Haruto", "Yui", "Sōta", "Hina", "Ren", "Aoi", "Kenji", "Sakura"},
		last:  []string{"Tanaka", "Suzuki", "Satō", "Watanabe", "Itō", "Yamamoto", "Kobayashi"},
	}
	oceanian = namePool{
		first: []string{"Jack", "Charlotte", "Liam", "Mia", "Lachlan", "Matilda", "Hēmi", "Aroha", "Tama", "Ngaire", "Mitchell"},
		last:  []string{"Smith", "Wilson", "Taylor", "Ngata", "Parata", "Campbell", "Stewart", "Te Whiu"},
	}
)

// teamNames are the eight teams of the event.
var teamNames = []string{
	"Night Owls", "Early Birds", "Async Avengers", "Coffee Collective",
	"Timezone Travellers", "Rubber Ducks", "Pixel Pirates", "Team Kraken",
}

// person is one participant as planned, before joining.
type person struct {
	name  string
	zone  string
	team  int // index in teamNames
	email string
	// engagement is how likely they answer any one prompt.
	engagement float64
	// joinedAt is when they open the join link, lastSeen their last visit
	// (set once their answers are planned).
	joinedAt, lastSeen time.Time
}

// planPeople makes n people over the zones, with names from each zone's
// region, unique as the event requires (case-insensitively), on teams.
func planPeople(rng *rand.Rand, n int, tl timeline) []person {
	counts := allocate(n, zoneWeights())
	taken := map[string]bool{}
	usedLong := map[string]bool{}
	var people []person
	for zi, c := range counts {
		z := zones[zi]
		for range c {
			name := uniqueName(rng, z.names, taken, usedLong)
			people = append(people, person{name: name, zone: z.name})
		}
	}
	rng.Shuffle(len(people), func(i, j int) { people[i], people[j] = people[j], people[i] })
	teamSizes := allocate(n, teamWeights(rng))
	t := 0
	for i := range people {
		for teamSizes[t] == 0 {
			t++
		}
		people[i].team = t
		teamSizes[t]--
	}
	// Teams were filled in order of a shuffled list, so members are
	// spread over zones; shuffle again so ids do not follow teams.
	rng.Shuffle(len(people), func(i, j int) { people[i], people[j] = people[j], people[i] })
	for i := range people {
		p := &people[i]
		if rng.Float64() < 0.45 {
			p.email = emailFor(p.name, i)
		}
		// Invites went out a week ahead; the last people join the
		// morning it starts.
		p.joinedAt = tl.start.Add(-time.Duration(10+rng.IntN(6*24*60)) * time.Minute).Truncate(time.Second)
		switch r := rng.Float64(); {
		case r < 0.82:
			p.engagement = 1 // in for everything
		case r < 0.95:
			p.engagement = 0.8 // busy week
		default:
			p.engagement = 0.45 // joined, then mostly watched
		}
	}
	return people
}

func zoneWeights() []int {
	w := make([]int, len(zones))
	for i, z := range zones {
		w[i] = z.weight
	}
	return w
}

// teamWeights makes teams of uneven size, as sign-ups make them.
func teamWeights(rng *rand.Rand) []int {
	w := make([]int, len(teamNames))
	for i := range w {
		w[i] = 30 + rng.IntN(16)
	}
	return w
}

// allocate splits n into parts proportional to weights by largest
// remainder, so the parts add up to n exactly.
func allocate(n int, weights []int) []int {
	total := 0
	for _, w := range weights {
		total += w
	}
	out := make([]int, len(weights))
	type rem struct{ i, r int }
	rems := make([]rem, len(weights))
	given := 0
	for i, w := range weights {
		out[i] = n * w / total
		given += out[i]
		rems[i] = rem{i, n * w % total}
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return b.r - a.r })
	for k := 0; given < n; k++ {
		out[rems[k%len(rems)].i]++
		given++
	}
	return out
}

// uniqueName draws a display name nobody in the event has yet. Most are
// "First Last"; some people go by a first name and an initial, a few by
// their long full name.
func uniqueName(rng *rand.Rand, pool *namePool, taken, usedLong map[string]bool) string {
	if len(pool.long) > 0 && rng.IntN(12) == 0 {
		for _, l := range pool.long {
			if !usedLong[l] && !taken[strings.ToLower(l)] {
				usedLong[l] = true
				taken[strings.ToLower(l)] = true
				return l
			}
		}
	}
	for try := 0; ; try++ {
		first := pool.first[rng.IntN(len(pool.first))]
		last := pool.last[rng.IntN(len(pool.last))]
		var name string
		switch {
		case pool.familyFirst:
			name = last + " " + first
		case rng.IntN(10) == 0:
			r, _ := utf8.DecodeRuneInString(last)
			name = first + " " + string(r) + "."
		default:
			name = first + " " + last
		}
		switch {
		case try > 60:
			// Even middle initials ran out (thousands of people from a
			// small pool): tell people apart with a number.
			name = fmt.Sprintf("%s %d", name, try)
		case try > 20 && !pool.familyFirst:
			// The pool ran out of pairs: a middle initial, as people
			// add when their name is taken.
			name = fmt.Sprintf("%s %c. %s", first, 'A'+rune(rng.IntN(26)), last)
		}
		if key := strings.ToLower(name); !taken[key] && utf8.RuneCountInString(name) <= models.MaxNameLength {
			taken[key] = true
			return name
		}
	}
}

// emailFor makes a work address from a display name, folded to ASCII
// ("Łukasz Dąbrowski" is lukasz.dabrowski@…); some get a number, as
// second people of a name do.
func emailFor(name string, i int) string {
	var b strings.Builder
	dot := false
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		if f, ok := notDecomposed[r]; ok {
			b.WriteString(f)
			dot = false
			continue
		}
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
			dot = false
		case r == ' ' || r == '-':
			if !dot && b.Len() > 0 {
				b.WriteByte('.')
				dot = true
			}
		}
		// Anything else (accents split off by NFD, apostrophes) is dropped.
	}
	local := strings.Trim(b.String(), ".")
	if i%7 == 0 {
		local = fmt.Sprintf("%s%d", local, i%100)
	}
	return local + "@lumenlabs.example"
}

// notDecomposed are letters NFD leaves whole.
var notDecomposed = map[rune]string{'ł': "l", 'ø': "o", 'đ': "d", 'ß': "ss", 'æ': "ae", 'œ': "oe"}

// byJoinTime lists the indexes of people in the order they joined.
func byJoinTime(people []person) []int {
	idx := make([]int, len(people))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return people[a].joinedAt.Compare(people[b].joinedAt) })
	return idx
}
