package answer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A talk is a kind of small talk: what a phrase of it says.
type talk uint8

const (
	notTalk   talk = iota
	greeting       // hi, good morning
	address        // bot, there
	wellbeing      // how are you
	thanks         // thank you
	farewell       // bye
	ack            // ok, cool
	identity       // who are you, what can you do
	filler         // please, oh
)

// talkPhrases is the whole vocabulary of small talk: a message made of
// these phrases and nothing else is small talk, not a question.
var talkPhrases = map[talk][]string{
	greeting: {"hi", "hii", "hiii", "hello", "helo", "hallo", "hullo", "hey", "heya", "hiya",
		"howdy", "yo", "greetings", "good morning", "good afternoon", "good evening", "good day",
		"morning", "evening", "gm", "sup", "what's up", "whats up", "wassup"},
	address: {"bot", "corpusbot", "there", "all", "everyone", "everybody", "guys", "folks",
		"friend", "buddy", "mate", "y'all"},
	wellbeing: {"how are you", "how are you doing", "how are u", "how r u", "how r you",
		"how's it going", "hows it going", "how is it going", "how do you do", "how are things",
		"how have you been", "are you ok", "you ok", "are you there", "you there", "what's new"},
	thanks: {"thanks", "thank you", "thank u", "thanks a lot", "thanks so much", "thanks very much",
		"thank you very much", "thank you so much", "thanks again", "thank you again", "many thanks",
		"much appreciated", "appreciated", "cheers", "thx", "thnx", "ty", "tysm"},
	farewell: {"bye", "goodbye", "bye bye", "see you", "see ya", "see you later", "later", "cya",
		"good night", "take care", "have a nice day", "have a good day"},
	ack: {"ok", "okay", "cool", "great", "nice", "awesome", "perfect", "got it", "i see",
		"alright", "all right", "fine", "sure", "wow", "lol", "haha", "good", "good bot",
		"nice one", "excellent"},
	identity: {"who are you", "what are you", "what can you do", "what do you do", "what do you know",
		"who made you", "are you a bot", "help", "help me", "who is this", "what is this"},
	filler: {"please", "pls", "plz", "oh", "ah", "um", "umm", "hm", "hmm", "well"},
}

// A talkNode is a node of talkTrie: the phrases of small talk as word
// sequences, one word to an edge.
type talkNode struct {
	kind talk // of the phrase that ends here, or notTalk
	next map[string]*talkNode
}

// talkTrie holds talkPhrases; talkEnds, the last words of those of the
// kinds in trailingTalk.
var talkTrie, talkEnds = buildTalk()

func buildTalk() (*talkNode, map[string]bool) {
	root, ends := &talkNode{}, map[string]bool{}
	for kind, ps := range talkPhrases {
		for _, p := range ps {
			n := root
			words := strings.Fields(p)
			for _, w := range words {
				if n.next == nil {
					n.next = map[string]*talkNode{}
				}
				if n.next[w] == nil {
					n.next[w] = &talkNode{}
				}
				n = n.next[w]
			}
			n.kind = kind
			if trailingKinds&(1<<kind) != 0 {
				ends[words[len(words)-1]] = true
			}
		}
	}
	return root, ends
}

// Replies to small talk.
const (
	exampleQuestion = "who is Laos's defence minister now?"
	introReply      = "I answer questions about the articles I hold and quote my sources. Try: " + exampleQuestion
	thanksReply     = "You're welcome! Ask me anything else about the articles, for example: " + exampleQuestion
	farewellReply   = "Bye! Come back any time with a question about the articles."
)

// talkReply is the reply to small talk of the kinds set in kinds (bit
// 1<<kind).
func talkReply(kinds uint16) string {
	has := func(k talk) bool { return kinds&(1<<k) != 0 }
	switch {
	case has(thanks):
		return thanksReply
	case has(farewell) && !has(greeting):
		return farewellReply
	case has(greeting) && has(wellbeing):
		return "Hi! I'm fine, thanks. " + introReply
	case has(wellbeing):
		return "I'm fine, thanks. " + introReply
	case has(greeting):
		return "Hi! " + introReply
	}
	return introReply
}

// smallTalk reports whether s, all of it, is small talk, and which kinds
// it holds (bit 1<<kind).
func smallTalk(s string) (kinds uint16, ok bool) {
	kinds, ok, _ = leadingTalk(s)
	return kinds, ok
}

// leadingTalk reads the small talk q starts with. It returns the kinds
// read (bit 1<<kind); whether q is nothing else; and where the question
// after it starts, when that small talk is to be dropped: greetings and
// the like ended by punctuation ("hi bot, who …?") or, greetings alone,
// followed by a question word ("hi who …", but not "there are …"), else
// 0.
func leadingTalk(q string) (kinds uint16, all bool, cut int) {
	dropping, greeted, onlyGreeting := true, false, true
	for i := 0; ; {
		start, _ := wordAt(q, i)
		if start == len(q) {
			return kinds, kinds != 0, cut
		}
		k, end := talkAt(q, start)
		if dropping && (k == notTalk || k == identity) {
			dropping = false
			if kinds != 0 && (strings.ContainsAny(q[i:start], ",!.:;?-–—") ||
				greeted && onlyGreeting && questionWord(q[start:])) {
				cut = start
			}
		}
		if k == notTalk {
			return kinds, false, cut
		}
		kinds |= 1 << k
		greeted = greeted || k == greeting
		onlyGreeting = onlyGreeting && (k == greeting || k == address)
		i = end
	}
}

// trailingTalk returns the length of q without the small talk after its
// question ("…? thanks!", "…, please"): up to the punctuation that ends
// the question, kept unless a comma or semicolon; len(q) when there is no
// such small talk.
func trailingTalk(q string) int {
	var buf [maxTalkWord]byte
	if n := lowerWord(q[lastWord(q):], &buf); !talkEnds[string(buf[:n])] {
		return len(q)
	}
	// Trailing small talk is short: look for the punctuation before it
	// in the last few bytes only.
	for p := max(0, len(q)-maxTrailingTalk); p < len(q); p++ {
		cut := p
		switch q[p] {
		case ',', ';':
		case '!', '.', '?':
			cut++
		default:
			continue
		}
		if kinds, ok := smallTalk(q[p+1:]); ok && kinds&^trailingKinds == 0 && hasWord(q[:cut]) {
			return len(strings.TrimRight(q[:cut], " ,;"))
		}
	}
	return len(q)
}

// maxTrailingTalk bounds the bytes of small talk dropped after a question.
const maxTrailingTalk = 48

// trailingKinds are the kinds of small talk dropped after a question.
const trailingKinds = 1<<thanks | 1<<filler | 1<<farewell | 1<<ack | 1<<address

// questionOpeners start questions; a greeting before one is dropped.
var questionOpeners = map[string]bool{
	"who": true, "whom": true, "whose": true, "what": true, "which": true, "when": true,
	"where": true, "why": true, "how": true, "is": true, "are": true, "was": true, "were": true,
	"do": true, "does": true, "did": true, "can": true, "could": true, "will": true,
	"would": true, "should": true, "has": true, "have": true, "had": true, "tell": true,
}

func questionWord(s string) bool {
	var buf [maxTalkWord]byte
	n := lowerWord(s, &buf)
	return n > 0 && questionOpeners[string(buf[:n])]
}

// talkAt matches the longest phrase of small talk whose first word starts
// at s[i]; it returns its kind and where its last word ends, or notTalk.
// Punctuation between the words does not matter ("thank, you").
func talkAt(s string, i int) (talk, int) {
	var buf [maxTalkWord]byte
	kind, end := notTalk, i
	for n := talkTrie; ; {
		start, e := wordAt(s, i)
		if start == len(s) {
			return kind, end
		}
		if n = n.next[string(buf[:lowerWord(s[start:], &buf)])]; n == nil {
			return kind, end
		}
		if n.kind != notTalk {
			kind, end = n.kind, e
		}
		i = e
	}
}

// maxTalkWord bounds the length of a word of small talk.
const maxTalkWord = 16

// lowerWord writes the word s starts with to buf in lower case, its
// apostrophes written ', and returns its length; 0 when it is no word of
// ASCII letters short enough to be one of small talk's.
func lowerWord(s string, buf *[maxTalkWord]byte) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c == '\'':
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case strings.HasPrefix(s[i:], "’"):
			c = '\''
			i += len("’") - 1
		case c >= utf8.RuneSelf || c >= '0' && c <= '9':
			if r, _ := utf8.DecodeRuneInString(s[i:]); talkWordRune(r) {
				return 0 // a word, but not of small talk
			}
			return n
		default:
			return n
		}
		if n == len(buf) {
			return 0
		}
		buf[n] = c
		n++
		i++
	}
	return n
}

// wordAt returns the start and end of the first word at or after s[i]: a
// run of letters, digits, marks and apostrophes; len(s), len(s) when
// there is none.
func wordAt(s string, i int) (start, end int) {
	start = len(s)
	for j := i; j < len(s); {
		r, n := rune(s[j]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[j:])
		}
		if talkWordRune(r) {
			if start == len(s) {
				start = j
			}
		} else if start < len(s) {
			return start, j
		}
		j += n
	}
	return start, len(s)
}

func talkWordRune(r rune) bool {
	return r == '\'' || r == '’' || r < utf8.RuneSelf && isASCIIWord(byte(r)) ||
		r >= utf8.RuneSelf && r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
}

// lastWord returns where the last word of s starts, or len(s).
func lastWord(s string) int {
	end := len(s)
	for end > 0 {
		r, n := lastRune(s[:end])
		if talkWordRune(r) {
			break
		}
		end -= n
	}
	start := end
	for start > 0 {
		r, n := lastRune(s[:start])
		if !talkWordRune(r) {
			break
		}
		start -= n
	}
	if start == end {
		return len(s)
	}
	return start
}

// lastRune is utf8.DecodeLastRuneInString, quicker for ASCII.
func lastRune(s string) (rune, int) {
	if c := s[len(s)-1]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeLastRuneInString(s)
}

// prepare returns the text of a cleaned question to analyse: plain, without
// the small talk around it; or, when it is small talk and no question, the
// reply to give.
func prepare(q string) (text, reply string) {
	text = plain(q)
	kinds, all, cut := leadingTalk(text)
	if all {
		return "", talkReply(kinds)
	}
	text = text[cut:]
	return text[:trailingTalk(text)], ""
}
