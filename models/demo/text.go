package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"retreat/models"
)

// What people write: captions for each photo prompt ("{city}" is where the
// sender is), and generators for the text prompts. Lengths vary the way
// real answers do: mostly a line, sometimes nothing, now and then a story.

var deskCaptions = []string{
	"Standing desk, sitting human.",
	"The cat has claimed the second monitor again 🐈",
	"Home office, {city} edition",
	"Yes, those are three coffee cups. No, I will not be taking questions.",
	"Plant count: 7. Plants alive: 5 🌱",
	"Kitchen table today, the builders are in the office room",
	"Co-working space in {city}: great wifi, terrible chairs",
	"💻☕🪴",
	"I cleaned up for this. You should have seen it yesterday.",
	"Working from my parents' place this week, hence the wallpaper",
	"The view that makes up for the 7am standups",
	"Dual monitors, one keyboard, zero cable management. Send help. Or zip ties. Preferably zip ties, and maybe a label maker, because I have given up trying to remember which charger is which.",
	"ok",
	"Balcony desk while the weather lasts ☀️",
}

var blueCaptions = []string{
	"My daughter's favourite mug 💙",
	"The sky over {city}, which counts",
	"Blue door three houses down",
	"Recycling bin. Don't judge, it's very blue.",
	"Found it in the fridge. Should not be blue. 🧀",
	"Hydrangeas in the neighbour's garden",
	"My bike, Gerald",
	"🔵",
	"Swimming pool at the gym in {city}",
	"Ten steps exactly: the kids' paddling pool",
	"Blue hour on the way back from the shop",
	"Jeans. Everyone's going to do jeans, right?",
}

var coffeeCaptions = []string{
	"Flat white in {city}, best in town and I will fight about it ☕",
	"My own setup: hand grinder, V60, 92 °C",
	"Cortado from the corner place, the barista knows my name",
	"Cold brew because it is 34 degrees in {city}",
	"Kopi at the hawker centre 😋",
	"Instant. I know. I know.",
	"Café with the best croissants, coffee is fine too",
	"The espresso machine I bought instead of a holiday",
	"Filter coffee from the station kiosk, surprisingly decent",
	"Third cup of the day and it's not even 10",
	"This place roasts their own beans two doors down; the whole street smells amazing every Thursday morning and I have started planning my week around it.",
	"☕☕☕",
}

var breakfastCaptions = []string{
	"Idli and sambar, Tuesday special",
	"Toast. Just toast. It's 8am. 🍞",
	"Pão de queijo and coffee",
	"Full English, it's the retreat after all",
	"Congee with youtiao",
	"Bircher muesli prepped last night, feeling smug",
	"Chilaquiles verdes 🌶️",
	"Natto on rice, fight me",
	"Kids' leftover pancakes count as breakfast",
	"Coffee. Breakfast is coffee.",
	"Bánh mì from the cart outside",
	"Avocado toast in {city}, as tradition requires",
	"Shakshuka for the whole family, and yes I made too much again",
}

var albumCaptions = []string{
	"Abbey Road, but make it Zoom",
	"Our take on Rumours. Nobody is speaking to each other now.",
	"The Dark Side of the Moon, with a desk lamp and a glass of water",
	"Nevermind. The baby is a rubber duck. It had to be.",
	"Ten people, four time zones, one very patient photographer",
	"London Calling, recreated with a guitar made of cardboard 🎸",
}

// hiddenCaptions are on the answers an organizer hid: the wrong photo.
var hiddenCaptions = []string{
	"oops, wrong photo, please ignore 🙈",
	"test",
	"Accidentally sent my boarding pass, can someone delete this",
}

// caption returns a caption for a photo answer ("" for about a third).
func caption(rng *rand.Rand, list []string, p *person) string {
	if rng.Float64() < 0.32 {
		return ""
	}
	return strings.ReplaceAll(list[rng.IntN(len(list))], "{city}", models.ZoneCity(p.zone))
}

var books = []struct{ title, author string }{
	{"Project Hail Mary", "Andy Weir"}, {"The Left Hand of Darkness", "Ursula K. Le Guin"},
	{"Thinking, Fast and Slow", "Daniel Kahneman"}, {"Pachinko", "Min Jin Lee"},
	{"The Pragmatic Programmer", "Dave Thomas and Andy Hunt"}, {"Cien años de soledad", "Gabriel García Márquez"},
	{"Braiding Sweetgrass", "Robin Wall Kimmerer"}, {"Things Fall Apart", "Chinua Achebe"},
	{"The Three-Body Problem", "Liu Cixin"}, {"Designing Data-Intensive Applications", "Martin Kleppmann"},
	{"Solaris", "Stanisław Lem"}, {"Klara and the Sun", "Kazuo Ishiguro"},
	{"A Philosophy of Software Design", "John Ousterhout"}, {"The God of Small Things", "Arundhati Roy"},
	{"Hyperion", "Dan Simmons"}, {"Atomic Habits", "James Clear"},
	{"Americanah", "Chimamanda Ngozi Adichie"}, {"Kafka on the Shore", "Haruki Murakami"},
	{"The Overstory", "Richard Powers"}, {"Pippi Longstocking (out loud, to my kids)", "Astrid Lindgren"},
}

var readingComments = []string{
	"Recommend!",
	"Halfway through, no spoilers please.",
	"Third time reading it and it still gets me.",
	"Slow start but worth it.",
	"Book club pick, I am behind as usual 😅",
	"Honestly reading it mostly on the train.",
	"Would recommend to anyone who has ever been on call.",
	"",
}

// readingAnswer is a book with a word about it; now and then a review.
func readingAnswer(rng *rand.Rand, _ *person) string {
	b := books[rng.IntN(len(books))]
	s := fmt.Sprintf("%s by %s.", b.title, b.author)
	switch r := rng.Float64(); {
	case r < 0.08:
		return "Nothing right now, the baby is two months old 😴"
	case r < 0.18:
		return s + "\n\nI picked it up on a colleague's recommendation (you know who you are) and could not put it down. " +
			"The middle third drags a little, but the ending made me rethink the whole thing and I immediately started it again. " +
			"Happy to lend my copy to anyone in " + fmt.Sprint(rng.IntN(3)+1) + " of our offices, or to post it."
	}
	if c := readingComments[rng.IntN(len(readingComments))]; c != "" {
		s += " " + c
	}
	return s
}

var words = []string{
	"Hygge (Danish): the cosy, candle-lit feeling of being warm and together.",
	"Saudade (Portuguese): missing something or someone you may never get back, and almost enjoying it.",
	"Ubuntu (Zulu): I am because we are.",
	"Jugaad (Hindi): a clever fix made from whatever is lying around. Our CI pipeline, basically.",
	"Sobremesa (Spanish): the time spent talking at the table after the meal is finished.",
	"Gezellig (Dutch): cosy, friendly, nice to be in. A good retreat is gezellig.",
	"Tsundoku (Japanese): buying books and letting them pile up unread. Guilty.",
	"Kummerspeck (German): weight gained from emotional eating. Literally 'grief bacon'.",
	"Lagom (Swedish): not too much, not too little, just right.",
	"Hiraeth (Welsh): homesickness for a home you cannot return to.",
	"Żubrówka is not a word for a feeling but it does cause some.",
	"Mamihlapinatapai (Yagán): the look between two people who both want the other to do something neither will start.",
	"Kilig (Tagalog): the butterflies you get when something romantic happens.",
	"Pochemuchka (Russian): a child, or colleague, who asks too many questions.",
	"Gigil (Tagalog): the urge to squeeze something unbearably cute.",
	"Sisu (Finnish): grit; carrying on when it is hard. See also: the last day of a release.",
	"Wabi-sabi (Japanese): beauty in things imperfect and impermanent. See: my desk photo.",
	"Shemomedjamo (Georgian): eating past fullness because it is just that good.",
	"Mbuki-mvuki (Bantu): shedding your clothes to dance. Not at the retreat, please.",
	"Jayus (Indonesian): a joke so badly told that you cannot help laughing.",
}

// wordAnswer is a word and its meaning; a few add a story.
func wordAnswer(rng *rand.Rand, _ *person) string {
	s := words[rng.IntN(len(words))]
	if rng.Float64() < 0.12 {
		s += " My grandmother used it all the time and I only understood it when I moved abroad."
	}
	return s
}

var truths = []string{
	"I have been to 31 countries.", "I once met the Queen's corgis.", "I can solve a Rubik's cube in under a minute.",
	"I was on national TV as a kid, in a cooking show.", "I have never seen Star Wars.", "I speak four languages.",
	"I ran a marathon in flip-flops.", "I was born on a ferry.", "I have a twin who also works in software.",
	"I was a professional accordion player.", "I've eaten a scorpion.", "I've never learnt to ride a bike.",
	"I hold a regional record in competitive yo-yo.", "I once fixed production from a ski lift.",
	"I grew up on a farm with 200 goats.", "I was an extra in a Bollywood film.", "My first job was selling ice cream on a beach.",
	"I have climbed Kilimanjaro.", "I am allergic to cats and have three.", "I've lived in the same street in {city} my whole life.",
}

// truthsAnswer is three numbered statements, one line each.
func truthsAnswer(rng *rand.Rand, p *person) string {
	if rng.Float64() < 0.05 {
		return "Pass, all my secrets are boring 🙃"
	}
	idx := rng.Perm(len(truths))[:3]
	lines := make([]string, 3)
	for i, k := range idx {
		lines[i] = fmt.Sprintf("%d. %s", i+1, strings.ReplaceAll(truths[k], "{city}", models.ZoneCity(p.zone)))
	}
	return strings.Join(lines, "\n")
}

// bonusReasons are what organizers write with a bonus.
var bonusReasons = []string{"Made the whole team laugh", "Best light of the week", "Above and beyond", "Commitment to the bit", "Most creative"}
