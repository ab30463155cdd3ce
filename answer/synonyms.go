package answer

// synonyms maps a folded question word to words news text often uses for
// the same thing. A synonym's term joins the question at Weights.Synonym of
// the word's own weight; the word itself still counts when the corpus has it.
// When the corpus lacks the word, its first synonym the corpus has stands in
// for it at the word's full weight: it is then the only way to match what
// the question asks ("grateful" for text that says "gratitude").
var synonyms = map[string][]string{
	"grateful": {"gratitude"}, "thankful": {"thanked", "gratitude"}, "thank": {"thanked"},
	"ink": {"signed"}, "inked": {"signed"}, "sign": {"signed"},
	"expo": {"exhibition"}, "exhibit": {"exhibition"},
	"call": {"talks"}, "phoned": {"phone"}, "chat": {"talks"}, "talk": {"talks"},
	"meet": {"met", "talks"}, "meeting": {"talks"},
	"laotian": {"lao"}, "laotians": {"lao"},
	"drill": {"exercise"}, "drills": {"exercises"},
	"deal": {"agreement", "protocol"}, "pact": {"agreement", "protocol"}, "treaty": {"agreement"},
	"aid": {"support", "assistance"}, "help": {"support", "assist"}, "helped": {"supported", "assisted"},
	"ties": {"relations", "cooperation"}, "relationship": {"relations"},
	"review": {"review"}, "reviewed": {"review"},
	"army": {"military"}, "troops": {"army", "soldiers"},
	"pm": {"prime"}, "boss": {"chief", "head"}, "head": {"chief"},
	"sympathy": {"sympathy"}, "condolences": {"sympathy"},
	"job": {"position", "role"}, "post": {"position"},
	"tackle": {"combat", "fight"}, "fight": {"combat"},
	"significant": {"significance"}, "important": {"importance"},
	"effective": {"effectiveness"},
}
