package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corpusbot/corpusbot/bot"
	"github.com/corpusbot/corpusbot/corpus"
)

func TestConfigExample(t *testing.T) {
	data, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig(data)
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	if cfg.Corpus.Dir != "seeds" || cfg.Corpus.MaxFileBytes != corpus.DefaultMaxFileBytes || cfg.Corpus.ReloadTimeout != time.Minute || cfg.HTTP.Listen != "127.0.0.1:8080" || cfg.Discord == nil || cfg.Telegram == nil ||
		len(cfg.Moderators.TelegramUserIDs) != 1 || cfg.Shutdown.Grace != 10*time.Second {
		t.Errorf("config.example.yaml read as %+v", cfg)
	}
	cfg.Corpus.Dir = "../../seeds"
	if err := cfg.validate(); err != nil {
		t.Errorf("config.example.yaml does not validate: %v", err)
	}
	if cfg.discordOn() || cfg.telegramOn() {
		t.Error("the example enables an adapter without a token")
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := parseConfig([]byte("http:\n  listen: 127.0.0.1:9000\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Answer.Top != 3 || cfg.Answer.MaxQuestion != 1000 || cfg.Log.Format != "text" || cfg.RateLimit.PerMinute == 0 {
		t.Errorf("defaults = %+v", cfg)
	}
	if cfg.Discord != nil || cfg.Telegram != nil {
		t.Error("absent sections read as present")
	}
	if got, want := cfg.FollowUps.options(), (bot.FollowUps{Window: 5 * time.Minute, ReplyWindow: 24 * time.Hour, Max: 10000}); got != want {
		t.Errorf("follow-up defaults = %+v; want %+v", got, want)
	}
	if cfg.Corpus.MaxFileBytes != corpus.DefaultMaxFileBytes || cfg.Corpus.ReloadTimeout != time.Minute {
		t.Errorf("corpus defaults = %+v; want max_file_bytes %d, reload_timeout 1m", cfg.Corpus, corpus.DefaultMaxFileBytes)
	}
}

func TestConfigAdd(t *testing.T) {
	cfg, err := parseConfig([]byte("http:\n  listen: 127.0.0.1:9000\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Add.AllowPrivate || cfg.Add.MaxBytes != 5<<20 || cfg.Add.Timeout != 20*time.Second || cfg.Add.MaxRedirects != 5 {
		t.Errorf("add defaults = %+v; want private addresses refused, 5 MB, 20s, 5 redirects", cfg.Add)
	}
	cfg, err = parseConfig([]byte("http:\n  listen: 127.0.0.1:9000\nadd:\n  allow_private: true\n  timeout: 3s\n"))
	if err != nil || !cfg.Add.AllowPrivate || cfg.Add.Timeout != 3*time.Second || cfg.validate() != nil {
		t.Errorf("add = %+v, %v; want allow_private and a 3s timeout", cfg.Add, err)
	}
}

func TestConfigFollowUps(t *testing.T) {
	cfg, err := parseConfig([]byte("http:\n  listen: 127.0.0.1:9000\nfollow_ups:\n  window: 0s\n  reply_window: 2h\n  max: 50\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.FollowUps.options(), (bot.FollowUps{Window: -1, ReplyWindow: 2 * time.Hour, Max: 50}); got != want {
		t.Errorf("follow_ups read as %+v; want %+v (window 0s turns it off)", got, want)
	}
}

func TestConfigCorpusLimits(t *testing.T) {
	cfg, err := parseConfig([]byte("corpus:\n  max_file_bytes: 65536\n  reload_timeout: 5m\nhttp:\n  listen: 127.0.0.1:9000\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Corpus.MaxFileBytes != 65536 || cfg.Corpus.ReloadTimeout != 5*time.Minute {
		t.Errorf("corpus = %+v; want max_file_bytes 65536, reload_timeout 5m", cfg.Corpus)
	}
	if err := cfg.validate(); err != nil {
		t.Error(err)
	}
}

// TestServeConfigErrorExitsTwo: a configuration error is a usage error:
// serve returns before serving anything, and main exits 2.
func TestServeConfigErrorExitsTwo(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, yaml string }{
		{"unknown key", "http:\n  listen: 127.0.0.1:0\ncorpus:\n  reload_timout: 5s\n"},
		{"bad value", "http:\n  listen: 127.0.0.1:0\ncorpus:\n  reload_timeout: 0s\n"},
		{"nothing to serve", "corpus:\n  dir: \"\"\n"},
		{"missing file", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml")
			if tc.yaml != "" {
				os.WriteFile(path, []byte(tc.yaml), 0o644)
			}
			var stderr bytes.Buffer
			err := run(context.Background(), []string{"serve", "--config", path}, nil, io.Discard, &stderr)
			if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "config:") {
				t.Errorf("serve with a config that %s = %v (exit status %d); want a config error, exit status 2", tc.name, err, exitCode(err))
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	const listen = "http:\n  listen: 127.0.0.1:8080\n"
	for _, tc := range []struct {
		name, yaml string
		want       []string // substrings of the error
	}{
		{"unknown top-level key", "corpos:\n  dir: x\n", []string{"line 1", `unknown key "corpos"`, "at the top level", "corpus"}},
		{"misspelt nested key", listen + "discord:\n  tokn: abc\n", []string{"line 4", `unknown key "tokn"`, "in discord", "token"}},
		{"deep key", listen + "telegram:\n  token: a\n  webhook:\n    secrte: x\n", []string{"line 6", `"secrte"`, "telegram.webhook"}},
		{"duplicate key", "http:\n  listen: a:1\n  listen: b:2\n", []string{"line 3", `"listen" appears twice`}},
		{"wrong type", listen + "moderators:\n  telegram_user_ids: [alice]\n", []string{"line 4", "alice"}},
		{"bad duration", listen + "shutdown:\n  grace: soon\n", []string{"line 4", "soon"}},
		{"not yaml", "http: [\n", []string{"not valid YAML"}},
		{"two documents", listen + "---\n" + listen, []string{"more than one YAML document"}},
		{"nothing to serve", "corpus:\n  dir: \"\"\n", []string{"nothing to serve", "discord.token", "telegram.token", "http.listen"}},
		{"section without token", "telegram:\n  api_url: http://127.0.0.1:1\n", []string{"nothing to serve"}},
		{"bad listen", "http:\n  listen: localhost\n", []string{"http.listen", "host:port"}},
		{"bad api_url", listen + "telegram:\n  token: a\n  api_url: ftp://x\n", []string{"telegram.api_url"}},
		{"bad discord url", listen + "discord:\n  token: a\n  api_url: not a url\n", []string{"discord.api_url"}},
		{"bad guild", listen + "discord:\n  token: a\n  guild_id: my-guild\n", []string{"discord.guild_id"}},
		{"bad moderator id", listen + "moderators:\n  discord_user_ids: [\"@alice\"]\n", []string{"moderators.discord_user_ids", "@alice"}},
		{"negative telegram id", listen + "moderators:\n  telegram_user_ids: [-5]\n", []string{"moderators.telegram_user_ids"}},
		{"half a webhook", listen + "telegram:\n  token: a\n  webhook:\n    listen: 127.0.0.1:8443\n", []string{"telegram.webhook", "secret"}},
		{"top out of range", listen + "answer:\n  top: 0\n", []string{"answer.top"}},
		{"hedge above confident", listen + "answer:\n  confident: 0.4\n  hedge: 0.6\n", []string{"answer.hedge", "answer.confident"}},
		{"confident above 1", listen + "answer:\n  confident: 1.5\n", []string{"answer.confident"}},
		{"negative hedge", listen + "answer:\n  hedge: -0.1\n", []string{"answer.hedge"}},
		{"log level", listen + "log:\n  level: loud\n", []string{"log.level", "loud"}},
		{"log format", listen + "log:\n  format: xml\n", []string{"log.format"}},
		{"missing corpus dir", listen + "corpus:\n  dir: /no/such/folder\n", []string{"corpus.dir", "/no/such/folder"}},
		{"max_file_bytes zero", listen + "corpus:\n  max_file_bytes: 0\n", []string{"corpus.max_file_bytes", "0"}},
		{"max_file_bytes not a number", listen + "corpus:\n  max_file_bytes: 4MB\n", []string{"line 4", "4MB"}},
		{"reload_timeout too short", listen + "corpus:\n  reload_timeout: 10ms\n", []string{"corpus.reload_timeout", "10ms"}},
		{"reload_timeout not a duration", listen + "corpus:\n  reload_timeout: 60\n", []string{"line 4", "60"}},
		{"misspelt corpus key", listen + "corpus:\n  max_file_size: 10\n", []string{"line 4", `"max_file_size"`, "in corpus", "max_file_bytes", "reload_timeout"}},
		{"add timeout too short", listen + "add:\n  timeout: 1ms\n", []string{"add.timeout", "1ms"}},
		{"add max_bytes zero", listen + "add:\n  max_bytes: 0\n", []string{"add.max_bytes"}},
		{"add redirects negative", listen + "add:\n  max_redirects: -1\n", []string{"add.max_redirects"}},
		{"misspelt add key", listen + "add:\n  allow_private_ips: true\n", []string{"line 4", `"allow_private_ips"`, "in add", "allow_private"}},
		{"ack too late", listen + "discord:\n  token: a\n  ack_after: 5s\n", []string{"discord.ack_after"}},
		{"salt without a feedback file", listen + "feedback:\n  salt_file: /etc/salt\n", []string{"feedback.salt_file"}},
		{"misspelt feedback key", listen + "feedback:\n  files: x\n", []string{"line 4", `"files"`, "in feedback", "salt_file"}},
		{"negative follow-up window", listen + "follow_ups:\n  window: -1m\n", []string{"follow_ups.window", "-1m"}},
		{"follow-ups max zero", listen + "follow_ups:\n  max: 0\n", []string{"follow_ups.max"}},
		{"two errors at once", listen + "answer:\n  top: 0\nlog:\n  level: loud\n", []string{"answer.top", "log.level"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			os.WriteFile(path, []byte(tc.yaml), 0o644)
			_, err := loadConfig(path, func(string) string { return "" })
			if err == nil {
				t.Fatalf("loadConfig(%q) = nil error; want one", tc.yaml)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestConfigMissingFile(t *testing.T) {
	_, err := loadConfig(filepath.Join(t.TempDir(), "nope.yaml"), os.Getenv)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("loadConfig(missing) = %v; want ErrNotExist", err)
	}
}

func TestConfigEnvTokens(t *testing.T) {
	env := map[string]string{"DISCORD_TOKEN": "from-env-d", "TELEGRAM_TOKEN": "from-env-t"}
	getenv := func(k string) string { return env[k] }
	path := filepath.Join(t.TempDir(), "c.yaml")

	// Present sections take the environment's tokens over the file's.
	os.WriteFile(path, []byte("discord:\n  token: from-file\ntelegram:\n  api_url: http://127.0.0.1:1\n"), 0o644)
	cfg, err := loadConfig(path, getenv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Discord.Token != "from-env-d" || cfg.Telegram.Token != "from-env-t" || !cfg.discordOn() || !cfg.telegramOn() {
		t.Errorf("tokens = %q, %q; want the environment's", cfg.Discord.Token, cfg.Telegram.Token)
	}

	// An absent section stays off whatever the environment says.
	os.WriteFile(path, []byte("http:\n  listen: 127.0.0.1:0\n"), 0o644)
	cfg, err = loadConfig(path, getenv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.discordOn() || cfg.telegramOn() {
		t.Error("an absent section was turned on by the environment")
	}
}

func TestConfigErrorsHideTokens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte("telegram:\n  token: \"12:SECRET with space\"\n  api_url: nope\n"), 0o644)
	_, err := loadConfig(path, func(string) string { return "" })
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("loadConfig = %v; want an error that does not quote the token", err)
	}
}

func FuzzParseConfig(f *testing.F) {
	example, _ := os.ReadFile("../../config.example.yaml")
	f.Add(example)
	f.Add([]byte("http:\n  listen: 127.0.0.1:8080\n"))
	f.Add([]byte("a: &x {b: *x}\n"))
	f.Add([]byte("discord: [1, 2]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parseConfig(data)
		if err != nil {
			return
		}
		cfg.validate() // must not panic
	})
}
