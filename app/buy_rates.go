package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/store"
)

// BuyRateItem is a carrier's buy rate as the API shows it. ID names it
// for DELETE /v1/buy-rates/{id}: "<valid_from in µs since 1970>-<prefix>-<carrier>".
type BuyRateItem struct {
	ID          string     `json:"id"`
	Carrier     string     `json:"carrier"`
	Prefix      string     `json:"prefix"`
	Price       string     `json:"price"`
	PriceMicros int64      `json:"price_micros"`
	Currency    string     `json:"currency"`
	ValidFrom   time.Time  `json:"valid_from"`
	ValidTo     *time.Time `json:"valid_to"`
}

// BuyRateInput is a new buy rate: what carrier charges per segment for
// destinations starting with prefix, from now (or valid_from).
type BuyRateInput struct {
	Carrier   string     `json:"carrier"`
	Prefix    string     `json:"prefix"`
	Price     string     `json:"price"`
	Currency  string     `json:"currency,omitempty"`
	ValidFrom *time.Time `json:"valid_from,omitempty"`
}

// BuyRateList is the answer of GET /v1/buy-rates.
type BuyRateList struct {
	BuyRates []BuyRateItem `json:"buy_rates"`
}

func buyRateItem(r store.BuyRate) BuyRateItem {
	v := BuyRateItem{ID: buyRateID(r.Carrier, r.Prefix, r.ValidFrom), Carrier: r.Carrier, Prefix: r.Prefix,
		Price: billing.Micros(r.PriceMicros).String(), PriceMicros: r.PriceMicros, Currency: r.Currency, ValidFrom: r.ValidFrom.UTC()}
	if !r.ValidTo.IsZero() {
		to := r.ValidTo.UTC()
		v.ValidTo = &to
	}
	return v
}

func buyRateID(carrier, prefix string, from time.Time) string {
	return strconv.FormatInt(from.UnixMicro(), 10) + "-" + prefix + "-" + carrier
}

func parseBuyRateID(id string) (carrier, prefix string, from time.Time, ok bool) {
	parts := strings.SplitN(id, "-", 3)
	if len(parts) != 3 || !store.ValidPrefix(parts[1]) || parts[2] == "" {
		return "", "", time.Time{}, false
	}
	us, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || us <= 0 {
		return "", "", time.Time{}, false
	}
	return parts[2], parts[1], time.UnixMicro(us).UTC(), true
}

// BuyRates lists every carrier's buy rates (platform admins).
func (c *CarrierConfigs) BuyRates(ctx context.Context, p Principal) (BuyRateList, error) {
	if err := forPlatform(p); err != nil {
		return BuyRateList{}, err
	}
	rs, err := c.st.ListBuyRates(ctx)
	if err != nil {
		return BuyRateList{}, err
	}
	out := BuyRateList{BuyRates: make([]BuyRateItem, 0, len(rs))}
	for _, r := range rs {
		out.BuyRates = append(out.BuyRates, buyRateItem(r))
	}
	return out, nil
}

// AddBuyRate stores a buy rate of a stored carrier (platform admins;
// audited). Least-cost routes use it on every instance within seconds.
func (c *CarrierConfigs) AddBuyRate(ctx context.Context, p Principal, in BuyRateInput, ip string) (BuyRateItem, error) {
	if err := forPlatform(p); err != nil {
		return BuyRateItem{}, err
	}
	prefix := strings.TrimPrefix(in.Prefix, "+")
	if !store.ValidPrefix(prefix) {
		return BuyRateItem{}, Invalid("prefix", "a prefix is 1 to 15 digits of E.164")
	}
	m, err := billing.ParseMicros(in.Price)
	if err != nil || m < 0 {
		return BuyRateItem{}, Invalid("price", "price is a decimal amount of at least 0, as \"0.0042\"")
	}
	cur := strings.ToUpper(in.Currency)
	if cur == "" {
		cur = c.currency
	}
	if !billing.ValidCurrency(cur) {
		return BuyRateItem{}, Invalid("currency", "currency is an ISO 4217 code such as EUR")
	}
	if _, err := c.st.CarrierConfigByName(ctx, in.Carrier); errors.Is(err, store.ErrNotFound) {
		return BuyRateItem{}, Invalid("carrier", "unknown carrier "+strconv.Quote(in.Carrier))
	} else if err != nil {
		return BuyRateItem{}, err
	}
	from := time.Now().UTC().Truncate(time.Microsecond)
	if in.ValidFrom != nil {
		from = in.ValidFrom.UTC().Truncate(time.Microsecond)
	}
	r := store.BuyRate{Carrier: in.Carrier, Prefix: prefix, PriceMicros: int64(m), Currency: cur, ValidFrom: from}
	err = c.st.AddBuyRate(ctx, &r)
	if errors.Is(err, store.ErrDuplicate) {
		return BuyRateItem{}, refuse(KindConflict, "valid_from", "this carrier has a rate for this prefix from this time already")
	}
	if err != nil {
		return BuyRateItem{}, err
	}
	c.audit(ctx, p, 0, "buy_rate.add", "buy_rate:"+buyRateID(r.Carrier, r.Prefix, r.ValidFrom),
		fmt.Sprintf("carrier=%s prefix=%s price=%s currency=%s", r.Carrier, r.Prefix, m, cur), ip)
	return buyRateItem(r), nil
}

// DeleteBuyRate deletes the buy rate id (platform admins; audited).
func (c *CarrierConfigs) DeleteBuyRate(ctx context.Context, p Principal, id, ip string) error {
	if err := forPlatform(p); err != nil {
		return err
	}
	carrier, prefix, from, ok := parseBuyRateID(id)
	if !ok {
		return NotFound("no buy rate " + strconv.Quote(id))
	}
	err := c.st.DeleteBuyRate(ctx, carrier, prefix, from)
	if errors.Is(err, store.ErrNotFound) {
		return NotFound("no buy rate " + strconv.Quote(id))
	}
	if err != nil {
		return err
	}
	c.audit(ctx, p, 0, "buy_rate.delete", "buy_rate:"+id, "", ip)
	return nil
}
