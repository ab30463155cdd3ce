package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/corpusbot/corpusbot/bot"
)

// FeedbackConfig says where votes on answers go.
type FeedbackConfig struct {
	// File is the JSONL file votes are appended to. Empty: feedback.jsonl
	// beside corpus.dir (in its parent folder); with the embedded corpus,
	// no feedback unless File is set.
	File string `yaml:"file"`
	// SaltFile holds the secret that keys the hash of user ids. Empty:
	// File + ".salt", created with 32 random bytes when missing.
	SaltFile string `yaml:"salt_file"`
	// Disabled turns feedback off: answers carry no 👍/👎 buttons.
	Disabled bool `yaml:"disabled"`
}

// defaultFeedbackName is the feedback file's name beside the corpus.
const defaultFeedbackName = "feedback.jsonl"

// feedbackFile is where votes go for a corpus in dir: file when set, else
// feedback.jsonl beside dir; "" (off) for the embedded corpus.
func feedbackFile(file, dir string) string {
	switch {
	case file != "":
		return file
	case dir != "":
		return filepath.Join(filepath.Dir(filepath.Clean(dir)), defaultFeedbackName)
	}
	return ""
}

// saltFile is the salt's file for a feedback file: salt when set, else
// file + ".salt".
func saltFile(salt, file string) string {
	if salt != "" {
		return salt
	}
	return file + ".salt"
}

// saltBytes is the size of a new salt, before hex encoding.
const saltBytes = 32

// loadSalt reads the salt at path, creating it (mode 0600, 32 random bytes
// as hex) when it does not exist. A salt shorter than bot.MinSaltBytes is
// an error: the hashes would be easy to reverse.
func loadSalt(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b := make([]byte, saltBytes)
		rand.Read(b) // never fails
		data = []byte(hex.EncodeToString(b) + "\n")
		f, cerr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(cerr, fs.ErrExist) {
			return loadSalt(path) // created meanwhile by another process
		}
		if cerr != nil {
			return nil, fmt.Errorf("feedback: salt: %w", cerr)
		}
		_, werr := f.Write(data)
		if serr := f.Sync(); werr == nil {
			werr = serr
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(path)
			return nil, fmt.Errorf("feedback: salt: %w", werr)
		}
	} else if err != nil {
		return nil, fmt.Errorf("feedback: salt: %w", err)
	}
	salt := bytes.TrimSpace(data)
	if len(salt) < bot.MinSaltBytes {
		return nil, fmt.Errorf("feedback: salt: %s holds %d bytes; at least %d are needed", path, len(salt), bot.MinSaltBytes)
	}
	return salt, nil
}

// newFeedback sets up feedback into file with the salt in salt (see
// saltFile). It returns nil, and no error, when file is "".
func newFeedback(file, salt string, rec bot.FeedbackRecorder) (*bot.Feedback, error) {
	if file == "" {
		return nil, nil
	}
	s, err := loadSalt(saltFile(salt, file))
	if err != nil {
		return nil, err
	}
	return bot.NewFeedback(bot.FeedbackOptions{File: file, Salt: s, Recorder: rec})
}

// feedbackFor is serve's feedback: nil when cfg turns it off or leaves it
// off. A salt that cannot be read or made turns it off with an error
// logged; the bot answers all the same.
func feedbackFor(cfg Config, rec bot.FeedbackRecorder, log *slog.Logger) *bot.Feedback {
	if cfg.Feedback.Disabled {
		return nil
	}
	file := feedbackFile(cfg.Feedback.File, cfg.Corpus.Dir)
	fb, err := newFeedback(file, cfg.Feedback.SaltFile, rec)
	switch {
	case err != nil:
		log.Error("feedback is off: no salt for the user hashes", "err", err)
		return nil
	case fb != nil:
		log.Info("feedback on", "file", file)
		if err := probeAppend(file); err != nil {
			log.Warn("the feedback file cannot be written; votes will be refused until it can", "err", err)
		}
	}
	return fb
}

// probeAppend checks that file can be opened for appending (creating it,
// empty, when missing), as each vote will open it.
func probeAppend(file string) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

// An evalQuestion is one line of a questions.jsonl, as the evaluation tools
// read it (id, question, answers, doc, sentence; kind and notes as the
// seeds set has them), plus what the bot said and how it was rated.
type evalQuestion struct {
	ID       string   `json:"id"`
	Question string   `json:"question"`
	Answers  []string `json:"answers"`
	Doc      string   `json:"doc"`
	Sentence string   `json:"sentence"`
	Kind     string   `json:"kind"`
	Notes    string   `json:"notes"`

	BotAnswered bool      `json:"bot_answered"`
	BotDoc      string    `json:"bot_doc"`
	BotSentence string    `json:"bot_sentence"`
	Down        int       `json:"down"`
	Up          int       `json:"up"`
	FirstDown   time.Time `json:"first_down"`
}

// exportQuestions turns votes into the questions that got a 👎, once each
// (questions are the same when they are after case folding and white
// space), in the order of their first 👎. Their gold (answers, doc,
// sentence) is left empty, for a person to fill in: the bot's answer was
// judged wrong, so it cannot be the gold.
func exportQuestions(recs []bot.FeedbackRecord) []evalQuestion {
	byKey := map[string]*evalQuestion{}
	ups := map[string]int{}
	var order []string
	for _, r := range recs {
		key := strings.Join(strings.Fields(strings.ToLower(r.Question)), " ")
		if r.Verdict == bot.VerdictUp {
			ups[key]++
			continue
		}
		q := byKey[key]
		if q == nil {
			sum := sha256.Sum256([]byte(key))
			q = &evalQuestion{ID: "fb-" + hex.EncodeToString(sum[:5]), Question: r.Question, Answers: []string{},
				Kind: "feedback", BotAnswered: r.Answered, BotDoc: r.Doc, BotSentence: r.Sentence, FirstDown: r.Time}
			byKey[key] = q
			order = append(order, key)
		}
		q.Down++
	}
	out := make([]evalQuestion, 0, len(order))
	for _, key := range order {
		q := byKey[key]
		q.Up = ups[key]
		if q.BotAnswered {
			q.Notes = fmt.Sprintf("👎 %d, 👍 %d on the bot's answer from %s; fill in answers, doc and sentence, or leave answers empty if the corpus does not say", q.Down, q.Up, q.BotDoc)
		} else {
			q.Notes = fmt.Sprintf("👎 %d, 👍 %d on the bot's refusal; fill in answers, doc and sentence if the corpus does say", q.Down, q.Up)
		}
		out = append(out, *q)
	}
	return out
}

// runFeedback reads the feedback file: a summary of the votes, or with
// --export the 👎 questions as a questions.jsonl on standard output.
func runFeedback(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("feedback", flag.ContinueOnError)
	fset.SetOutput(stderr)
	export := fset.Bool("export", false, "write the questions rated 👎 as a questions.jsonl for the evaluation tools")
	file := fset.String("file", defaultFeedbackName, "the feedback file (feedback.file in serve's config)")
	if err := fset.Parse(args); err != nil {
		return errUsage
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "corpusbot feedback: unexpected argument %q\n", fset.Arg(0))
		return errUsage
	}
	f, err := os.Open(*file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("feedback: %s: no such file (no votes yet, or see --file)", *file)
		}
		return fmt.Errorf("feedback: %w", err)
	}
	defer f.Close()
	recs, bad, err := bot.ReadFeedback(f)
	if err != nil {
		return fmt.Errorf("feedback: %s: %w", *file, err)
	}
	for _, e := range bad {
		fmt.Fprintf(stderr, "corpusbot feedback: %s: skipped %v\n", *file, e)
	}
	qs := exportQuestions(recs)
	if !*export {
		up := 0
		for _, r := range recs {
			if r.Verdict == bot.VerdictUp {
				up++
			}
		}
		fmt.Fprintf(stdout, "%d votes: %d 👍, %d 👎; %d questions rated 👎 (export them with --export)\n",
			len(recs), up, len(recs)-up, len(qs))
		return nil
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, q := range qs {
		if err := enc.Encode(q); err != nil {
			return fmt.Errorf("feedback: writing: %w", err)
		}
	}
	return nil
}
