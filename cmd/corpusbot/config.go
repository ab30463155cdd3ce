package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/bot"
	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/corpus/library"
)

// Config is serve's configuration, read from YAML. The keys of corpus,
// moderators, discord, telegram and http are part of the external contract
// (CONTRACT.md); config.example.yaml documents every key.
type Config struct {
	Corpus     CorpusConfig     `yaml:"corpus"`
	Moderators ModeratorsConfig `yaml:"moderators"`
	Discord    *DiscordConfig   `yaml:"discord"`  // nil: the section is absent, Discord is off
	Telegram   *TelegramConfig  `yaml:"telegram"` // nil: the section is absent, Telegram is off
	HTTP       HTTPConfig       `yaml:"http"`
	Answer     AnswerConfig     `yaml:"answer"`
	RateLimit  RateLimitConfig  `yaml:"rate_limit"`
	FollowUps  FollowUpsConfig  `yaml:"follow_ups"`
	Log        LogConfig        `yaml:"log"`
	Shutdown   ShutdownConfig   `yaml:"shutdown"`
	Feedback   FeedbackConfig   `yaml:"feedback"`
	Add        AddConfig        `yaml:"add"`
}

// AddConfig bounds what a moderator's /add fetches.
type AddConfig struct {
	AllowPrivate bool          `yaml:"allow_private"` // let links reach loopback, private and link-local addresses
	MaxBytes     int64         `yaml:"max_bytes"`     // a longer page is refused
	Timeout      time.Duration `yaml:"timeout"`       // for a whole fetch
	MaxRedirects int           `yaml:"max_redirects"` // redirects followed
}

type CorpusConfig struct {
	Dir           string        `yaml:"dir"`            // folder of .txt articles; empty: the embedded seeds
	MaxFileBytes  int64         `yaml:"max_file_bytes"` // a bigger file is skipped with a warning
	ReloadTimeout time.Duration `yaml:"reload_timeout"` // a reload taking longer is given up
}

type ModeratorsConfig struct {
	DiscordUserIDs  []string `yaml:"discord_user_ids"`
	DiscordRoleIDs  []string `yaml:"discord_role_ids"`
	TelegramUserIDs []int64  `yaml:"telegram_user_ids"`
}

type DiscordConfig struct {
	Token    string        `yaml:"token"`
	APIURL   string        `yaml:"api_url"`
	GuildID  string        `yaml:"guild_id"`
	AckAfter time.Duration `yaml:"ack_after"` // defer an interaction's reply after this long
}

type TelegramConfig struct {
	Token         string         `yaml:"token"`
	APIURL        string         `yaml:"api_url"`
	PollTimeout   time.Duration  `yaml:"poll_timeout"`
	MaxConcurrent int            `yaml:"max_concurrent"`
	Webhook       *WebhookConfig `yaml:"webhook"`
}

type WebhookConfig struct {
	Listen string `yaml:"listen"`
	URL    string `yaml:"url"`
	Secret string `yaml:"secret"`
}

type HTTPConfig struct {
	Listen string `yaml:"listen"` // empty: no HTTP listener
}

type AnswerConfig struct {
	Top         int `yaml:"top"`          // citations per answer
	MaxQuestion int `yaml:"max_question"` // characters
	// What a reply needs: a confident answer a confidence from
	// Confident, a hedged one less; a refusal when the chance that the
	// articles answer the question is below Hedge (answer.Thresholds).
	Confident float64 `yaml:"confident"`
	Hedge     float64 `yaml:"hedge"`
}

type RateLimitConfig struct {
	PerMinute float64 `yaml:"per_minute"` // 0 turns the limit off
	Burst     int     `yaml:"burst"`
}

type FollowUpsConfig struct {
	Window      time.Duration `yaml:"window"`       // the next question in a private chat follows the last within this; 0 turns it off
	ReplyWindow time.Duration `yaml:"reply_window"` // a reply to an answer follows it up within this; 0 turns it off
	Max         int           `yaml:"max"`          // conversations and answers remembered at most
}

// options are the bot's FollowUps for f: a window of 0 turns that kind of
// follow-up off, which bot.FollowUps spells with a negative window.
func (f FollowUpsConfig) options() bot.FollowUps {
	off := func(d time.Duration) time.Duration {
		if d == 0 {
			return -1
		}
		return d
	}
	return bot.FollowUps{Window: off(f.Window), ReplyWindow: off(f.ReplyWindow), Max: f.Max}
}

type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

type ShutdownConfig struct {
	Grace time.Duration `yaml:"grace"` // how long replies in flight may take at shutdown
}

// defaultConfig is the configuration before the file is read: every key
// the file leaves out keeps these values.
func defaultConfig() Config {
	return Config{
		Corpus:    CorpusConfig{MaxFileBytes: corpus.DefaultMaxFileBytes, ReloadTimeout: 60 * time.Second},
		Answer:    defaultAnswer(),
		RateLimit: RateLimitConfig{PerMinute: 20, Burst: 5},
		FollowUps: FollowUpsConfig{Window: bot.DefaultFollowUpWindow, ReplyWindow: bot.DefaultReplyWindow, Max: bot.DefaultMaxConversations},
		Log:       LogConfig{Level: "info", Format: "text"},
		Shutdown:  ShutdownConfig{Grace: 10 * time.Second},
		Add:       AddConfig{MaxBytes: library.DefaultMaxBytes, Timeout: library.DefaultTimeout, MaxRedirects: library.DefaultMaxRedirects},
	}
}

// defaultAnswer is the answer section's defaults: the thresholds are the
// embedded confidence model's.
func defaultAnswer() AnswerConfig {
	th := answer.DefaultThresholds()
	return AnswerConfig{Top: answer.DefaultTop, MaxQuestion: answer.MaxQuestion, Confident: th.Confident, Hedge: th.Hedge}
}

// maxFileBytes is the largest corpus.max_file_bytes allowed: an article is
// read whole into memory.
const maxFileBytes = 1 << 30

// maxConfigSize bounds a config file; a real one is a few hundred bytes.
const maxConfigSize = 1 << 20

// loadConfig reads the config file at path, applies the environment's
// token overrides and validates the result.
func loadConfig(path string, getenv func(string) string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return Config{}, fmt.Errorf("config: %s: %w", path, err)
	}
	if len(data) > maxConfigSize {
		return Config{}, fmt.Errorf("config: %s: larger than %d bytes", path, maxConfigSize)
	}
	cfg, err := parseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("config: %s: %w", path, err)
	}
	cfg.applyEnv(getenv)
	if err := cfg.validate(); err != nil {
		return Config{}, fmt.Errorf("config: %s: %w", path, err)
	}
	return cfg, nil
}

// parseConfig decodes YAML strictly: a key the Config does not have is an
// error naming the key, its line and the keys allowed there.
func parseConfig(data []byte) (Config, error) {
	cfg := defaultConfig()
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, nil // an empty file: all defaults
		}
		return Config{}, fmt.Errorf("not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Config{}, errors.New("more than one YAML document; keep the config in one")
	}
	if len(doc.Content) == 0 {
		return cfg, nil
	}
	if err := checkKeys(doc.Content[0], reflect.TypeOf(cfg), ""); err != nil {
		return Config{}, err
	}
	if err := doc.Decode(&cfg); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return Config{}, errors.New(strings.Join(te.Errors, "; "))
		}
		return Config{}, err
	}
	return cfg, nil
}

// checkKeys walks a mapping node alongside the struct type t and reports the
// first key t has no field for.
func checkKeys(n *yaml.Node, t reflect.Type, section string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if t.Kind() != reflect.Struct || n.Kind != yaml.MappingNode {
		return nil // scalars and lists: the decoder checks their types
	}
	fields := map[string]reflect.Type{}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		fields[name] = f.Type
		names = append(names, name)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		where := "at the top level"
		if section != "" {
			where = "in " + section
		}
		ft, ok := fields[k.Value]
		if !ok {
			return fmt.Errorf("line %d: unknown key %q %s (known keys: %s)", k.Line, k.Value, where, strings.Join(names, ", "))
		}
		if seen[k.Value] {
			return fmt.Errorf("line %d: key %q appears twice %s", k.Line, k.Value, where)
		}
		seen[k.Value] = true
		if err := checkKeys(v, ft, strings.TrimPrefix(section+"."+k.Value, ".")); err != nil {
			return err
		}
	}
	return nil
}

// applyEnv lets DISCORD_TOKEN and TELEGRAM_TOKEN, when set, override the
// tokens of the sections present in the file (a section left out keeps its
// adapter off, whatever the environment says).
func (c *Config) applyEnv(getenv func(string) string) {
	if tok := strings.TrimSpace(getenv("DISCORD_TOKEN")); tok != "" && c.Discord != nil {
		c.Discord.Token = tok
	}
	if tok := strings.TrimSpace(getenv("TELEGRAM_TOKEN")); tok != "" && c.Telegram != nil {
		c.Telegram.Token = tok
	}
}

// discordOn and telegramOn report whether an adapter is enabled: its
// section is present and has a token.
func (c *Config) discordOn() bool  { return c.Discord != nil && c.Discord.Token != "" }
func (c *Config) telegramOn() bool { return c.Telegram != nil && c.Telegram.Token != "" }

// errNothingToServe is validate's error for a config that enables nothing.
var errNothingToServe = errors.New("nothing to serve: set discord.token (or DISCORD_TOKEN) to run on Discord, " +
	"telegram.token (or TELEGRAM_TOKEN) to run on Telegram, or http.listen for the HTTP API")

// validate checks the values; its errors name the key at fault. Messages
// never quote a token.
func (c *Config) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if !c.discordOn() && !c.telegramOn() && c.HTTP.Listen == "" {
		return errNothingToServe
	}
	if c.Corpus.Dir != "" {
		if st, err := os.Stat(c.Corpus.Dir); err != nil || !st.IsDir() {
			bad("corpus.dir: %q is not a folder", c.Corpus.Dir)
		}
	}
	if c.Corpus.MaxFileBytes < 1 || c.Corpus.MaxFileBytes > maxFileBytes {
		bad("corpus.max_file_bytes: %d is not from 1 to %d", c.Corpus.MaxFileBytes, int64(maxFileBytes))
	}
	if c.Corpus.ReloadTimeout < time.Second || c.Corpus.ReloadTimeout > 24*time.Hour {
		bad("corpus.reload_timeout: %s is not between 1s and 24h", c.Corpus.ReloadTimeout)
	}
	for _, list := range []struct {
		key string
		ids []string
	}{{"discord_user_ids", c.Moderators.DiscordUserIDs}, {"discord_role_ids", c.Moderators.DiscordRoleIDs}} {
		for _, id := range list.ids {
			if !snowflake(id) {
				bad("moderators.%s: %q is not a Discord id (digits only)", list.key, id)
			}
		}
	}
	for _, id := range c.Moderators.TelegramUserIDs {
		if id <= 0 {
			bad("moderators.telegram_user_ids: %d is not a Telegram user id", id)
		}
	}
	if d := c.Discord; d != nil {
		if d.APIURL != "" && !httpURL(d.APIURL) {
			bad("discord.api_url: %q is not an http(s) URL", d.APIURL)
		}
		if d.GuildID != "" && !snowflake(d.GuildID) {
			bad("discord.guild_id: %q is not a Discord id (digits only)", d.GuildID)
		}
		if strings.ContainsAny(d.Token, " \t\r\n") {
			bad("discord.token: contains white space")
		}
		if d.AckAfter < 0 || d.AckAfter > 2500*time.Millisecond {
			bad("discord.ack_after: %s is not between 0 and 2.5s (Discord wants a first response within 3s)", d.AckAfter)
		}
	}
	if t := c.Telegram; t != nil {
		if t.APIURL != "" && !httpURL(t.APIURL) {
			bad("telegram.api_url: %q is not an http(s) URL", t.APIURL)
		}
		if strings.ContainsAny(t.Token, " \t\r\n/") {
			bad("telegram.token: contains white space or a slash")
		}
		if t.PollTimeout < 0 || t.PollTimeout > 10*time.Minute {
			bad("telegram.poll_timeout: %s is not between 0 and 10m", t.PollTimeout)
		}
		if t.MaxConcurrent < 0 {
			bad("telegram.max_concurrent: %d is negative", t.MaxConcurrent)
		}
		if w := t.Webhook; w != nil {
			if w.Listen == "" || w.URL == "" || w.Secret == "" {
				bad("telegram.webhook: listen, url and secret are all needed")
			} else if !validListen(w.Listen) {
				bad("telegram.webhook.listen: %q is not host:port", w.Listen)
			}
		}
	}
	if c.HTTP.Listen != "" && !validListen(c.HTTP.Listen) {
		bad("http.listen: %q is not host:port (for example 127.0.0.1:8080)", c.HTTP.Listen)
	}
	if c.Answer.Top < 1 || c.Answer.Top > answer.MaxTop {
		bad("answer.top: %d is not from 1 to %d", c.Answer.Top, answer.MaxTop)
	}
	if a := c.Answer; a.Hedge < 0 || a.Hedge > a.Confident || a.Confident > 1 {
		bad("answer.hedge %v and answer.confident %v: want 0 ≤ hedge ≤ confident ≤ 1", a.Hedge, a.Confident)
	}
	if c.Answer.MaxQuestion < 1 || c.Answer.MaxQuestion > 100000 {
		bad("answer.max_question: %d is not from 1 to 100000", c.Answer.MaxQuestion)
	}
	if c.RateLimit.PerMinute < 0 {
		bad("rate_limit.per_minute: %g is negative", c.RateLimit.PerMinute)
	}
	if c.RateLimit.Burst < 0 {
		bad("rate_limit.burst: %d is negative", c.RateLimit.Burst)
	}
	if c.FollowUps.Window < 0 {
		bad("follow_ups.window: %s is negative", c.FollowUps.Window)
	}
	if c.FollowUps.ReplyWindow < 0 {
		bad("follow_ups.reply_window: %s is negative", c.FollowUps.ReplyWindow)
	}
	if c.FollowUps.Max < 1 || c.FollowUps.Max > 10_000_000 {
		bad("follow_ups.max: %d is not from 1 to 10000000", c.FollowUps.Max)
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, strings.ToLower(c.Log.Level)) {
		bad("log.level: %q is not one of debug, info, warn, error", c.Log.Level)
	}
	if !slices.Contains([]string{"text", "json"}, strings.ToLower(c.Log.Format)) {
		bad("log.format: %q is not text or json", c.Log.Format)
	}
	if c.Feedback.SaltFile != "" && !c.Feedback.Disabled && feedbackFile(c.Feedback.File, c.Corpus.Dir) == "" {
		bad("feedback.salt_file: set, but there is no feedback file (set feedback.file, or corpus.dir to keep it beside the corpus)")
	}
	if c.Add.MaxBytes < 1 || c.Add.MaxBytes > maxFileBytes {
		bad("add.max_bytes: %d is not from 1 to %d", c.Add.MaxBytes, int64(maxFileBytes))
	}
	if c.Add.Timeout < time.Second || c.Add.Timeout > 10*time.Minute {
		bad("add.timeout: %s is not between 1s and 10m", c.Add.Timeout)
	}
	if c.Add.MaxRedirects < 0 || c.Add.MaxRedirects > 20 {
		bad("add.max_redirects: %d is not from 0 to 20", c.Add.MaxRedirects)
	}
	if c.Shutdown.Grace < 0 {
		bad("shutdown.grace: %s is negative", c.Shutdown.Grace)
	}
	return errors.Join(errs...)
}

func snowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func validListen(s string) bool {
	_, port, err := net.SplitHostPort(s)
	return err == nil && port != ""
}
