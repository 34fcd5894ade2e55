package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/campaign"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// campaignSubmitter feeds the campaign engine's messages to the gateway
// through SendBatch: the accept path of the API (consent, the account's
// TPS limit, routing, pricing and reservation, persistence, receipts).
type campaignSubmitter struct {
	gw  *gateway.Service
	acc *account.Service
}

// Submit implements campaign.Submitter.
func (cs campaignSubmitter) Submit(ctx context.Context, accountID int64, subs []campaign.Submission) []campaign.SubmitResult {
	reqs := make([]gateway.SendRequest, len(subs))
	for i, s := range subs {
		reqs[i] = gateway.SendRequest{To: s.To, From: s.From, Text: s.Text, ClientRef: s.ClientRef, ValidUntil: s.ValidUntil,
			DeliveryReport: true}
	}
	tps := 0
	if cs.acc != nil {
		tps = cs.acc.TPSLimit(accountID)
	}
	res, errs := cs.gw.SendBatch(ctx, accountID, tps, reqs)
	out := make([]campaign.SubmitResult, len(subs))
	for i := range out {
		if i >= len(errs) || errs[i] == nil {
			if i < len(res) {
				out[i] = campaign.SubmitResult{Outcome: campaign.Sent, MessageID: res[i].ID, Price: res[i].Price}
			} else {
				out[i] = campaign.SubmitResult{Outcome: campaign.Unresolved}
			}
			continue
		}
		out[i] = submitOutcome(errs[i])
	}
	return out
}

// submitOutcome classifies a refusal of the gateway for the engine.
func submitOutcome(err error) campaign.SubmitResult {
	r, ok := errors.AsType[*gateway.Refusal](err)
	if !ok {
		// Not a refusal (a timeout): the message may have been accepted.
		return campaign.SubmitResult{Outcome: campaign.Unresolved, Reason: err.Error()}
	}
	switch r.Problem {
	case gateway.ProblemBackpressure, gateway.ProblemRateLimited, gateway.ProblemInternal:
		return campaign.SubmitResult{Outcome: campaign.Retry, Reason: r.Problem}
	case gateway.ProblemOptedOut:
		return campaign.SubmitResult{Outcome: campaign.Skip, Reason: "opted_out", OptedOut: true}
	case gateway.ProblemInsufficientBalance:
		return campaign.SubmitResult{Outcome: campaign.Pause, Reason: "the balance does not cover the next messages"}
	case gateway.ProblemSuspended:
		return campaign.SubmitResult{Outcome: campaign.Pause, Reason: "the account is suspended"}
	}
	if r.HTTP == 429 || r.HTTP == 503 {
		return campaign.SubmitResult{Outcome: campaign.Retry, Reason: r.Problem}
	}
	return campaign.SubmitResult{Outcome: campaign.Skip, Reason: r.Problem + ": " + r.Detail}
}

// Saturated implements campaign.Submitter: campaigns leave half of the
// gateway's capacity to live traffic (see gateway.Service.BackgroundFull).
func (cs campaignSubmitter) Saturated() bool { return cs.gw.BackgroundFull() }

// newCampaigns builds the campaigns service and its engine; links (nil:
// links.domain off) make the texts' tracked short links, whose clicks
// the statistics and the A/B click metric count.
func newCampaigns(d Deps, links *campaign.Links) *Campaigns {
	s := &Campaigns{st: d.Store, gw: d.Gateway, bill: d.Billing, acc: d.Accounts, now: time.Now,
		log: d.Log.With("component", "campaigns")}
	cfg := d.Campaigns
	if cfg.Now != nil {
		s.now = cfg.Now
	}
	if links != nil {
		cfg.Links = links
		s.Clicks = d.Store.CampaignClicks
		s.VariantClicks = d.Store.CampaignClicksByVariant
		cfg.Clicks = func(ctx context.Context, accountID, campaignID int64) (map[int]int64, error) {
			rows, err := d.Store.CampaignClicksByVariant(ctx, accountID, campaignID)
			if err != nil {
				return nil, err
			}
			out := make(map[int]int64, len(rows))
			for _, r := range rows {
				out[int(r.Variant)] = r.Unique
			}
			return out, nil
		}
	}
	if fan := d.Gateway.Hooks(); fan != nil {
		cfg.Finished = campaignHooks(d.Store, fan, d.Log)
	}
	e, err := campaign.NewEngine(d.Store, campaignSubmitter{gw: d.Gateway, acc: d.Accounts}, d.Gateway.OptOuts(), cfg,
		d.Log.With("component", "campaign-engine"))
	if err != nil {
		// Bad quiet-hour rules: checked by the configuration first; run
		// with none rather than not at all.
		d.Log.Error("campaign engine", "err", err)
		cfg.QuietHours = []campaign.QuietRule{}
		e, _ = campaign.NewEngine(d.Store, campaignSubmitter{gw: d.Gateway, acc: d.Accounts}, d.Gateway.OptOuts(), cfg, nil)
	}
	s.engine = e
	return s
}

// Start starts the campaign engine (cmd/gallant, once the gateway runs).
func (s *Campaigns) Start() {
	if s != nil && s.engine != nil {
		s.engine.Start()
	}
}

// Stop stops the campaign engine within ctx (on shutdown, before the
// gateway): the page in flight is recorded, the leases released.
func (s *Campaigns) Stop(ctx context.Context) error {
	if s == nil || s.engine == nil {
		return nil
	}
	return s.engine.Stop(ctx)
}

// Engine is the campaign engine (tests drive its passes).
func (s *Campaigns) Engine() *campaign.Engine { return s.engine }

// CampaignEngineConfig configures the campaign engine ([campaign.Config]).
type CampaignEngineConfig = campaign.Config

// QuietRule is a quiet-hours rule ([campaign.QuietRule]).
type QuietRule = campaign.QuietRule

// CheckQuietHours checks quiet-hour rules.
func CheckQuietHours(rules []QuietRule) error {
	_, err := campaign.NewQuietHours(rules)
	return err
}

// campaignHooks returns the engine's Finished: a campaign.completed
// event, its data the campaign as GET /v1/campaigns/{id} shows it once
// completed.
func campaignHooks(st *store.Store, fan *webhook.Hooks, log *slog.Logger) func(context.Context, store.Campaign) {
	return func(ctx context.Context, c store.Campaign) {
		if !fan.Wants(c.AccountID, webhook.HookCampaignCompleted) {
			return
		}
		fresh, err := st.CampaignByID(ctx, c.AccountID, c.ID)
		if err != nil {
			log.Warn("campaign.completed hook: campaign not read", "campaign", c.ID, "err", err)
			return
		}
		fan.Publish(c.AccountID, webhook.HookCampaignCompleted, 0, "", campaignView(&fresh))
	}
}
