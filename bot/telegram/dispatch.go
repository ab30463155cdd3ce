package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
)

// A dispatcher runs jobs concurrently across chats and in order within
// each: every chat with work has one worker goroutine draining its queue.
// At most maxConcurrent workers run at once, and at most maxPending jobs
// wait or run; submit blocks beyond that, which slows polling down.
type dispatcher struct {
	ctx     context.Context // the jobs' context: it outlives the polling's
	log     *slog.Logger
	running chan struct{} // a token per running worker
	pending chan struct{} // a token per job submitted and not yet finished
	wg      sync.WaitGroup

	mu     sync.Mutex                        // guards queues
	queues map[int64][]func(context.Context) // jobs waiting, per chat; a key is present while the chat has a worker
}

func newDispatcher(ctx context.Context, maxConcurrent, maxPending int, log *slog.Logger) *dispatcher {
	return &dispatcher{
		ctx:     ctx,
		log:     log,
		running: make(chan struct{}, maxConcurrent),
		pending: make(chan struct{}, maxPending),
		queues:  make(map[int64][]func(context.Context)),
	}
}

// submit queues job for chat, starting the chat's worker if it has none.
// It waits while maxPending jobs are outstanding, and drops the job if ctx
// ends first.
func (d *dispatcher) submit(ctx context.Context, chat int64, job func(context.Context)) {
	select {
	case d.pending <- struct{}{}:
	case <-ctx.Done():
		return
	}
	d.mu.Lock()
	q, active := d.queues[chat]
	d.queues[chat] = append(q, job)
	d.mu.Unlock()
	if !active {
		d.wg.Add(1)
		go d.work(d.ctx, chat)
	}
}

// work drains chat's queue, one job at a time, once a running slot is free.
func (d *dispatcher) work(ctx context.Context, chat int64) {
	defer d.wg.Done()
	select {
	case d.running <- struct{}{}:
		defer func() { <-d.running }()
	case <-ctx.Done():
	}
	for {
		d.mu.Lock()
		q := d.queues[chat]
		if len(q) == 0 {
			delete(d.queues, chat)
			d.mu.Unlock()
			return
		}
		job := q[0]
		q[0] = nil
		d.queues[chat] = q[1:]
		d.mu.Unlock()
		if ctx.Err() == nil {
			d.run(ctx, chat, job)
		}
		<-d.pending
	}
}

// run runs one job; a panic is logged, never allowed to end the process.
func (d *dispatcher) run(ctx context.Context, chat int64, job func(context.Context)) {
	defer func() {
		if p := recover(); p != nil {
			d.log.Error("panic while handling a message", "chat", chat, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	job(ctx)
}

// wait returns when every worker has finished.
func (d *dispatcher) wait() { d.wg.Wait() }

// recent remembers the last n update ids, so that an update Telegram
// delivers twice to the webhook is answered once.
type recent struct {
	mu   sync.Mutex       // guards ids and ring
	ids  map[int]struct{} // the ids in ring
	ring []int            // the ids in arrival order, oldest at next
	next int
}

func newRecent(n int) *recent {
	return &recent{ids: make(map[int]struct{}, n), ring: make([]int, 0, n)}
}

// add records id and reports whether it is new.
func (r *recent) add(id int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.ids[id]; dup {
		return false
	}
	if len(r.ring) < cap(r.ring) {
		r.ring = append(r.ring, id)
	} else {
		delete(r.ids, r.ring[r.next])
		r.ring[r.next] = id
		r.next = (r.next + 1) % len(r.ring)
	}
	r.ids[id] = struct{}{}
	return true
}
