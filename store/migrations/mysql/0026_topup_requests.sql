-- 0026: topup_requests holds the top-ups an account asked of its reseller
-- (parent_id; 0: the platform's admins). amount is in micro-units of
-- currency, the account's when it asked. status is pending, topped_up
-- (the parent topped the account up) or declined. The indexes list a
-- parent's, an account's and (for admins) every request by status.
CREATE TABLE IF NOT EXISTS topup_requests (
    id           BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id   BIGINT NOT NULL,
    parent_id    BIGINT NOT NULL,
    amount       BIGINT NOT NULL,
    currency     VARCHAR(3) NOT NULL,
    note         VARCHAR(255) NOT NULL,
    status       VARCHAR(16) NOT NULL,
    requested_by BIGINT NOT NULL,
    created_at   DATETIME(6) NOT NULL,
    resolved_by  BIGINT NOT NULL DEFAULT 0,
    resolved_at  DATETIME(6) NULL,
    KEY topup_requests_parent (parent_id, status, id),
    KEY topup_requests_account (account_id, status, id),
    KEY topup_requests_status (status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
