package bot

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/corpusbot/corpusbot/answer"
)

// Verdicts of a vote on an answer.
const (
	VerdictUp   = "up"   // 👍
	VerdictDown = "down" // 👎
)

// Defaults of FeedbackOptions.
const (
	DefaultFeedbackAnswers = 5000               // answers kept for votes
	DefaultFeedbackAge     = 7 * 24 * time.Hour // how long an answer can be voted on
	MinSaltBytes           = 16                 // the shortest salt accepted
)

// Errors of the feedback file; match them with errors.Is.
var (
	// ErrFeedbackSalt: the salt is missing or too short.
	ErrFeedbackSalt = errors.New("bot: feedback: the salt must be at least 16 bytes")
	// ErrFeedbackFile: no file to append votes to.
	ErrFeedbackFile = errors.New("bot: feedback: no file")
)

// A FeedbackRecorder is told of each vote recorded, for metrics; *Metrics
// is one. Its methods must be safe for concurrent use.
type FeedbackRecorder interface {
	Voted(platform, verdict string)
}

// FeedbackOptions configure a Feedback.
type FeedbackOptions struct {
	File       string           // the JSONL file votes are appended to
	Salt       []byte           // keys the hash of user ids; at least MinSaltBytes
	MaxAnswers int              // answers kept for votes; 0 means DefaultFeedbackAnswers
	MaxAge     time.Duration    // how long an answer can be voted on; 0 means DefaultFeedbackAge
	Recorder   FeedbackRecorder // told of each vote recorded; nil for none
	Now        func() time.Time // the clock; nil means time.Now
}

// A Feedback collects 👍 and 👎 on answers. It remembers the answers it
// was shown (a bounded number, for a bounded time, in memory only: a
// restart forgets them) under random ids that the adapters put in their
// buttons, and appends each vote to a JSONL file. A user votes once on an
// answer: a second vote changes nothing and is told the first one stands.
// It is safe for concurrent use.
type Feedback struct {
	opts FeedbackOptions

	mu      sync.Mutex              // guards answers and order
	answers map[string]*shownAnswer // by id
	order   []string                // ids, oldest first, for eviction

	wmu sync.Mutex // guards the file: one append at a time
}

// A shownAnswer is an answer the bot gave, kept for its votes.
type shownAnswer struct {
	platform string
	at       time.Time
	question string
	answered bool
	answer   string
	cite     answer.Citation // the first citation; zero when none
	voters   map[string]string
}

// A FeedbackRecord is one line of the feedback file: one vote. User is a
// keyed hash of the platform and user id, never the id itself.
type FeedbackRecord struct {
	Time     time.Time `json:"time"`
	Platform string    `json:"platform"`
	User     string    `json:"user"`
	Verdict  string    `json:"verdict"`
	AnswerID string    `json:"answer_id"`
	Question string    `json:"question"`
	Answered bool      `json:"answered"`
	Answer   string    `json:"answer"`
	Doc      string    `json:"doc"`
	Title    string    `json:"title"`
	Date     string    `json:"date"`
	Sentence string    `json:"sentence"`
}

// NewFeedback returns a Feedback appending to opts.File. It does not touch
// the file: a file that cannot be written shows at the first vote, which
// is then refused politely and logged.
func NewFeedback(opts FeedbackOptions) (*Feedback, error) {
	if len(opts.Salt) < MinSaltBytes {
		return nil, ErrFeedbackSalt
	}
	if opts.File == "" {
		return nil, ErrFeedbackFile
	}
	if opts.MaxAnswers <= 0 {
		opts.MaxAnswers = DefaultFeedbackAnswers
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultFeedbackAge
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Feedback{opts: opts, answers: map[string]*shownAnswer{}}, nil
}

// File is the file votes are appended to.
func (f *Feedback) File() string { return f.opts.File }

// votable reports whether an answer gets buttons: one with citations, or a
// refusal of a question the corpus might answer. Small talk, empty and
// overlong questions get none.
func votable(res *answer.Result) bool {
	if res == nil {
		return false
	}
	if res.Answered {
		return true
	}
	return res.Refusal != nil && res.Refusal.Kind != answer.RefusedTooLong && res.Refusal.Kind != answer.RefusedNoWords
}

// remember keeps res for votes and returns its id.
func (f *Feedback) remember(platform string, res *answer.Result) string {
	a := &shownAnswer{platform: platform, at: f.opts.Now(), question: res.Question, answered: res.Answered,
		answer: res.Answer, voters: map[string]string{}}
	if len(res.Citations) > 0 {
		a.cite = res.Citations[0]
		a.cite.Explain = nil
	}
	id := newAnswerID()
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.order) >= f.opts.MaxAnswers {
		delete(f.answers, f.order[0])
		f.order = f.order[1:]
	}
	f.answers[id] = a
	f.order = append(f.order, id)
	return id
}

// answerIDBytes is the randomness of an answer id: 72 bits, 12 characters
// of base64url. Nobody guesses another answer's id.
const answerIDBytes = 9

func newAnswerID() string {
	b := make([]byte, answerIDBytes)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// votePrefix opens the data of every vote button.
const votePrefix = "v1:"

// VoteData is the data of a vote button for answer id: "v1:u:<id>" or
// "v1:d:<id>", 17 bytes, within Telegram's 64 and Discord's 100.
func VoteData(id, verdict string) string {
	v := "u"
	if verdict == VerdictDown {
		v = "d"
	}
	return votePrefix + v + ":" + id
}

// IsVoteData reports whether data is meant as a vote (well formed or not),
// as opposed to another button's.
func IsVoteData(data string) bool { return strings.HasPrefix(data, votePrefix) }

// ParseVote reads a vote button's data. ok is false for anything VoteData
// cannot have made.
func ParseVote(data string) (id, verdict string, ok bool) {
	rest, found := strings.CutPrefix(data, votePrefix)
	if !found || len(rest) != 2+base64.RawURLEncoding.EncodedLen(answerIDBytes) || rest[1] != ':' {
		return "", "", false
	}
	switch rest[0] {
	case 'u':
		verdict = VerdictUp
	case 'd':
		verdict = VerdictDown
	default:
		return "", "", false
	}
	id = rest[2:]
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || len(raw) != answerIDBytes || base64.RawURLEncoding.EncodeToString(raw) != id {
		return "", "", false
	}
	return id, verdict, true
}

// A Vote is a press of a 👍 or 👎 button.
type Vote struct {
	Platform string // Discord, Telegram or Console
	UserID   string // the platform's user id
	Data     string // the button's data, as VoteData made it (or a forgery)
}

// Replies to votes.
const (
	voteThanksUp   = "Thanks for the 👍! Glad it helped."
	voteThanksDown = "Thanks for the 👎. It is noted, so that the team can improve the answers."
	voteTwice      = "You have already rated this answer; your first vote stands."
	voteUnknown    = "I can no longer take votes on that answer: it is too old, or I have restarted since. Ask again to rate a fresh answer."
	voteUnreadable = "Sorry, I couldn't read that button. Please rate a fresh answer."
	voteOff        = "Feedback is not collected here."
	voteFailed     = "Sorry, I couldn't save your vote just now; please try again later."
)

// feedbackHelp is what /help says about votes on platform.
func feedbackHelp(platform string) string {
	if platform == Console {
		return "\n\nRate the last answer with /good or /bad."
	}
	return "\n\nRate an answer with the 👍 or 👎 under it: the team reads every 👎."
}

// Vote outcomes, as logs report them.
const (
	VoteRecorded   = "recorded"
	VoteDuplicate  = "duplicate"
	VoteUnknown    = "unknown"    // an unknown or expired answer
	VoteUnreadable = "unreadable" // data VoteData cannot have made
	VoteFailed     = "failed"     // the file could not be written
	VoteOff        = "off"        // the bot collects no feedback
)

// Vote records a vote and returns what to tell the voter: always a
// private Text or Err reply, never silence. The outcome is logged.
func (b *Bot) Vote(ctx context.Context, v Vote) Reply {
	rep, outcome, verdict, err := b.vote(v)
	attrs := []any{"platform", v.Platform, "verdict", verdict, "outcome", outcome}
	switch {
	case err != nil:
		b.log.Error("vote not recorded", append(attrs, "err", err)...)
	case outcome == VoteUnreadable:
		b.log.Warn("vote", attrs...)
	default:
		b.log.Info("vote", attrs...)
	}
	return rep
}

func (b *Bot) vote(v Vote) (rep Reply, outcome, verdict string, err error) {
	f := b.opts.Feedback
	if f == nil {
		return Reply{Private: true, Text: voteOff}, VoteOff, "", nil
	}
	id, verdict, ok := ParseVote(v.Data)
	if !ok || v.UserID == "" {
		return Reply{Private: true, Err: &Error{Kind: Invalid, Message: voteUnreadable}}, VoteUnreadable, "", nil
	}
	outcome, err = f.record(v.Platform, v.UserID, id, verdict)
	switch outcome {
	case VoteRecorded:
		if verdict == VerdictUp {
			return Reply{Private: true, Text: voteThanksUp}, outcome, verdict, nil
		}
		return Reply{Private: true, Text: voteThanksDown}, outcome, verdict, nil
	case VoteDuplicate:
		return Reply{Private: true, Text: voteTwice}, outcome, verdict, nil
	case VoteUnknown:
		return Reply{Private: true, Err: &Error{Kind: Invalid, Message: voteUnknown}}, outcome, verdict, nil
	}
	return Reply{Private: true, Err: &Error{Kind: Internal, Message: voteFailed, Cause: err}}, outcome, verdict, err
}

// record appends a vote unless the answer is unknown, expired, of another
// platform, or already voted on by the user.
func (f *Feedback) record(platform, userID, id, verdict string) (string, error) {
	now := f.opts.Now()
	user := f.hashUser(platform, userID)
	f.mu.Lock()
	a := f.answers[id]
	switch {
	case a == nil || a.platform != platform || now.Sub(a.at) > f.opts.MaxAge:
		f.mu.Unlock()
		return VoteUnknown, nil
	case a.voters[user] != "":
		f.mu.Unlock()
		return VoteDuplicate, nil
	}
	a.voters[user] = verdict // taken now: a second press during the write is a duplicate
	rec := FeedbackRecord{Time: now.UTC(), Platform: platform, User: user, Verdict: verdict, AnswerID: id,
		Question: a.question, Answered: a.answered, Answer: a.answer,
		Doc: a.cite.Doc, Title: a.cite.Title, Date: a.cite.Date, Sentence: a.cite.Sentence}
	f.mu.Unlock()

	if err := f.append(rec); err != nil {
		f.mu.Lock()
		delete(a.voters, user) // not recorded: the user may try again
		f.mu.Unlock()
		return VoteFailed, err
	}
	if f.opts.Recorder != nil {
		f.opts.Recorder.Voted(platformLabel(platform), verdict)
	}
	return VoteRecorded, nil
}

// hashUser is the keyed hash (HMAC-SHA-256 with the salt) of a platform's
// user id, as 32 hex digits.
func (f *Feedback) hashUser(platform, userID string) string {
	m := hmac.New(sha256.New, f.opts.Salt)
	m.Write([]byte(platform + "\x00" + userID))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// append writes rec as one line. One append at a time (wmu); each record
// is a single write(2) on a file opened with O_APPEND, so lines never
// interleave, even with another process appending; the file is synced
// (fsync) after every record, as votes are few and each one counts. The
// file is opened for each vote, so that one moved away by log rotation, or
// made writable again, is picked up at the next vote.
func (f *Feedback) append(rec FeedbackRecord) error {
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return fmt.Errorf("bot: feedback: %w", err)
	}
	f.wmu.Lock()
	defer f.wmu.Unlock()
	file, err := os.OpenFile(f.opts.File, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("bot: feedback: %w", err)
	}
	_, err = file.WriteString(buf.String())
	if err == nil {
		err = file.Sync()
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("bot: feedback: %s: %w", f.opts.File, err)
	}
	return nil
}

// MaxFeedbackLine is the longest line ReadFeedback accepts.
const MaxFeedbackLine = 1 << 20

// ReadFeedback reads a feedback file: one FeedbackRecord per line. Lines
// that are blank are skipped; a line that is not a record (a torn last
// line, a hand edit) is skipped too, and reported in bad with its line
// number. err is for a failure to read.
func ReadFeedback(r io.Reader) (recs []FeedbackRecord, bad []error, err error) {
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, tooLong, rerr := readLine(br, MaxFeedbackLine)
		if rerr != nil && rerr != io.EOF {
			return recs, bad, rerr
		}
		switch text := strings.TrimSpace(line); {
		case tooLong:
			bad = append(bad, fmt.Errorf("line %d: longer than %d bytes", n, MaxFeedbackLine))
		case text == "":
		default:
			rec, perr := parseRecord(text)
			if perr != nil {
				bad = append(bad, fmt.Errorf("line %d: %w", n, perr))
			} else {
				recs = append(recs, rec)
			}
		}
		if rerr == io.EOF {
			return recs, bad, nil
		}
	}
}

// readLine reads one line without its newline, keeping at most max bytes.
func readLine(br *bufio.Reader, max int) (line string, tooLong bool, err error) {
	var b []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if len(b)+len(chunk) > max {
			tooLong = true
		} else {
			b = append(b, chunk...)
		}
		if err != nil {
			return string(b), tooLong, err
		}
		if !isPrefix {
			return string(b), tooLong, nil
		}
	}
}

func parseRecord(text string) (FeedbackRecord, error) {
	var rec FeedbackRecord
	dec := json.NewDecoder(strings.NewReader(text))
	if err := dec.Decode(&rec); err != nil {
		return rec, fmt.Errorf("not a feedback record: %w", err)
	}
	if dec.More() {
		return rec, errors.New("not a feedback record: more than one JSON value")
	}
	if rec.Verdict != VerdictUp && rec.Verdict != VerdictDown {
		return rec, fmt.Errorf("verdict %q is neither %q nor %q", clip(rec.Verdict, 20), VerdictUp, VerdictDown)
	}
	if strings.TrimSpace(rec.Question) == "" {
		return rec, errors.New("no question")
	}
	return rec, nil
}
