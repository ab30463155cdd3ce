package bot

import (
	"container/list"
	"strings"
	"sync"
	"time"

	"github.com/corpusbot/corpusbot/answer"
)

// Follow-up questions: the bot remembers, per chat and per user, the topic
// of the last question and the article that answered it (answer.Context),
// so that "who congratulated him?" after "When did Giang hold a video call
// with his Lao counterpart?" is read with it. A question is read as a
// follow-up when it replies to one of the bot's answers (Request.ReplyTo:
// a Telegram reply, a Discord message reply), when it is posted in a
// Discord thread started from one of the bot's answers (Request.Thread),
// or when it is the next question of the same user in the same private
// chat or console within FollowUps.Window. A context never crosses chats:
// every key holds the chat, but a thread's, which is named by the id of the
// answer it was started from, a Discord snowflake no other message has.

// FollowUps bound what the bot remembers of conversations. The zero value
// means the defaults.
type FollowUps struct {
	// Window is how long after an answer the next question in a private
	// chat or the console is read as its follow-up; 0 means
	// DefaultFollowUpWindow, below 0 turns implicit follow-ups off.
	Window time.Duration
	// ReplyWindow is how long a reply to one of the bot's answers is read
	// as its follow-up; 0 means DefaultReplyWindow, below 0 turns them off.
	ReplyWindow time.Duration
	// Max is how many conversations and answered messages are remembered
	// at most, the least recently used forgotten first; 0 means
	// DefaultMaxConversations.
	Max int
}

// Defaults of FollowUps.
const (
	DefaultFollowUpWindow   = 5 * time.Minute
	DefaultReplyWindow      = 24 * time.Hour
	DefaultMaxConversations = 10000
)

// conversations is a bounded LRU of contexts, each with the time it was
// kept; entries older than their window are forgotten when read.
type conversations struct {
	window, replyWindow time.Duration
	max                 int

	mu    sync.Mutex               // guards order and byKey
	order *list.List               // of *kept, most recently used first
	byKey map[string]*list.Element // each key's element of order
}

type kept struct {
	key string
	ctx answer.Context
	at  time.Time
}

func newConversations(f FollowUps) *conversations {
	if f.Window == 0 {
		f.Window = DefaultFollowUpWindow
	}
	if f.ReplyWindow == 0 {
		f.ReplyWindow = DefaultReplyWindow
	}
	if f.Max <= 0 {
		f.Max = DefaultMaxConversations
	}
	return &conversations{window: f.Window, replyWindow: f.ReplyWindow, max: f.Max,
		order: list.New(), byKey: make(map[string]*list.Element)}
}

// userKey is the key of r's user's conversation in r's chat, or "" when
// r's platform has none: only private chats and the console have implicit
// follow-ups; HTTP requests are each on their own.
func (c *conversations) userKey(r Request) string {
	if c.window < 0 || r.Platform == HTTP || (!r.Direct && r.Platform != Console) {
		return ""
	}
	return key("user", r.Platform, r.ChatID, r.UserID)
}

// messageKey is the key of the bot's message id in r's chat.
func (c *conversations) messageKey(r Request, id string) string {
	if c.replyWindow < 0 || id == "" || r.Platform == HTTP {
		return ""
	}
	return key("message", r.Platform, r.ChatID, id)
}

// threadKey is the key of the conversation of the thread started from the
// bot's message id: on Discord only, where a thread started from a message
// has the message's id, unique across channels.
func (c *conversations) threadKey(platform, id string) string {
	if c.replyWindow < 0 || id == "" || platform != Discord {
		return ""
	}
	return key("thread", platform, id)
}

// key joins parts with a byte no id holds, so that no two differ only in
// where one part ends.
func key(parts ...string) string { return strings.Join(parts, "\x00") }

// context returns the context request r is read with, or nil: the one of
// the message it replies to, or else its thread's, or else its user's in
// its chat.
func (c *conversations) context(r Request, now time.Time) *answer.Context {
	if r.ReplyTo != "" {
		// A reply to a message the bot no longer remembers is read
		// on its own, not with the user's last question.
		if k := c.messageKey(r, r.ReplyTo); k != "" {
			return c.get(k, now, c.replyWindow)
		}
		return nil
	}
	if r.Thread != "" {
		if k := c.threadKey(r.Platform, r.Thread); k != "" {
			return c.get(k, now, c.replyWindow)
		}
		return nil
	}
	if k := c.userKey(r); k != "" {
		return c.get(k, now, c.window)
	}
	return nil
}

func (c *conversations) get(k string, now time.Time, window time.Duration) *answer.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[k]
	if !ok {
		return nil
	}
	kp := e.Value.(*kept)
	if age := now.Sub(kp.at); age > window || age < 0 {
		c.order.Remove(e)
		delete(c.byKey, k)
		return nil
	}
	c.order.MoveToFront(e)
	ctx := kp.ctx
	return &ctx
}

// keep remembers ctx under k at now, forgetting the least recently used
// entry beyond max.
func (c *conversations) keep(k string, ctx answer.Context, now time.Time) {
	if k == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[k]; ok {
		e.Value = &kept{key: k, ctx: ctx, at: now}
		c.order.MoveToFront(e)
		return
	}
	c.byKey[k] = c.order.PushFront(&kept{key: k, ctx: ctx, at: now})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*kept).key)
	}
}

// len is how many entries are remembered.
func (c *conversations) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Sent tells the bot that rep, its reply to r, went out as the message id
// in r's chat, so that a reply to that message is read as a follow-up of
// the question it answered. Adapters call it for every reply they send;
// replies that are not answers are not remembered.
func (b *Bot) Sent(r Request, rep Reply, id string) {
	if rep.context == nil {
		return
	}
	now := b.opts.Now()
	b.convs.keep(b.convs.messageKey(r, id), *rep.context, now)
	// A thread someone starts from this answer follows it up.
	b.convs.keep(b.convs.threadKey(r.Platform, id), *rep.context, now)
}

// keepAfter remembers next, the context after answering r, where r's
// next question will look for it: in the thread r was posted in, when it
// is one started from an answer (prev, r's own context, is not nil), and
// under r's user in r's chat.
func (c *conversations) keepAfter(r Request, prev *answer.Context, next answer.Context, now time.Time) {
	if r.Thread != "" && r.ReplyTo == "" && prev != nil {
		c.keep(c.threadKey(r.Platform, r.Thread), next, now)
	}
	c.keep(c.userKey(r), next, now)
}
