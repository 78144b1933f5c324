-- A book of N open loans for the close-of-business benchmark (bench/close_book.py), built
-- with set-based INSERT ... SELECT over generate_series, as the owner role, into a freshly
-- migrated database. Parameters: %(n)s loans, %(day)s the open business date D (the day the
-- benchmark closes), %(users)s borrowers. Deterministic: the same N and D give the same
-- book. Statements are separated by "-- step:" lines; bench/close_book.py runs them in
-- order and times each.
--
-- The book (DOMAIN.md §2-§6):
-- * 90% micro-loans (daily rate 0.02%-0.05%, 5, 10 or 20 periods, equal principal, due on
--   the draw's day of month, the 21st for draws on the 29th-31st) and 10% bank loans
--   (4.35% or 4.9% a year, 12-60 months, 1 in 100 of them 360 months; 70% equal
--   installment, 30% equal principal; contract months from the value date);
-- * draws spread over the past year (never so long ago that the loan is repaid), a few on
--   D itself;
-- * every installment that fell due before D is paid on its due date, except: for 1 loan
--   in 7 the row due on D - 1 is still unpaid (in its grace day: it becomes overdue
--   tonight), and 3% of the loans that have had a due date are behind by 1, 2, 3 or 4-9
--   installments (the aging buckets 1-30, 31-60, 61-90, 91+ days);
-- * the rows due on D are due and unpaid (tonight's collections); the row in its period on
--   D accrues;
-- * the ledger holds each loan's disbursement, each loan's repayments so far (principal
--   and interest, with the loan on the lines), and the accruals up to D as one opening
--   transaction per component, so loans.reconciliation.ledger_reconcile is clean on D.

-- step: products
INSERT INTO loans_loanproduct
    (public_id, code, name, name_en, kind, is_active, daily_rate_min, daily_rate_max,
     daily_rate_default, annual_rate, term_min, term_max, allowed_terms, default_method,
     allow_equal_principal, allow_equal_installment, installment_rounding_unit,
     credit_limit_min, credit_limit_max, min_draw, draw_step, max_draw, max_open_draws,
     late_first_draw_day, fallback_repayment_day, min_days_to_first_due, grace_days,
     penalty_rate_multiplier, compound_interest_enabled, repayment_allocation_order,
     prepayment_min_months, partial_prepayment_min, partial_prepayment_multiple,
     partial_prepayment_interval_months, prepayment_notice_days, prepayment_fee_kind,
     prepayment_fee_percents, created_at, updated_at, annualized_rate_irr_max)
VALUES
    (gen_random_uuid(), 'bench-micro', '微利贷', 'Micro-loan', 'micro', true, 0.0002, 0.0005,
     0.0005, NULL, 5, 20, '[5, 10, 20]', 'equal_principal', true, true, 0.01, 500, 200000,
     100, 100, 40000, 5, 29, 21, 15, 1, 1.5, true,
     '["penalty", "compound", "overdue_interest", "overdue_principal", "current_interest", "current_principal"]',
     6, 10000, NULL, 12, 10, 'none', '[]', now(), now(), NULL),
    (gen_random_uuid(), 'bench-bank', '个人分期贷款', 'Bank installment loan', 'bank_installment',
     true, NULL, NULL, NULL, 0.0435, 12, 360, '[12, 24, 36, 48, 60, 360]', 'equal_installment',
     true, true, 0.01, 10000, 1000000, 10000, 1000, 1000000, 1, 29, 21, 15, 1, 1.5, true,
     '["penalty", "compound", "overdue_interest", "overdue_principal", "current_interest", "current_principal"]',
     6, 10000, NULL, 12, 10, 'none', '[]', now(), now(), NULL);

-- step: users
INSERT INTO accounts_user
    (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
     date_joined, public_id, phone, language)
SELECT u, '!', false, 'bench' || u, '', '', 'bench' || u || '@example.com', false, true,
       now(), gen_random_uuid(), '139' || lpad(u::text, 8, '0'), 'zh-hans'
  FROM generate_series(1, %(users)s) u;

-- step: profiles
INSERT INTO accounts_borrowerprofile
    (full_name, id_number, id_number_digest, id_number_masked, birth_date, bank_card_number,
     bank_card_masked, bank_name, completed_at, updated_at, user_id)
SELECT '借款人' || u, 'bench', md5(u::text) || md5((-u)::text),
       '110101********' || lpad(mod(u, 10000)::text, 4, '0'), DATE '1990-01-01' + mod(u, 9000),
       'bench', '6222 **** **** ' || lpad(mod(u * 7, 10000)::text, 4, '0'), '中国工商银行',
       now(), now(), u
  FROM generate_series(1, %(users)s) u;

-- step: loan_shapes
CREATE TEMP TABLE bench_shape AS
WITH base AS (
    SELECT g, mod(g, 10) <> 0 AS micro,
           mod(abs(hashint8(g * 8 + 1)::bigint), 1000000) AS h1,
           mod(abs(hashint8(g * 8 + 2)::bigint), 1000000) AS h2,
           mod(abs(hashint8(g * 8 + 3)::bigint), 1000000) AS h3,
           mod(abs(hashint8(g * 8 + 4)::bigint), 1000000) AS h4
      FROM generate_series(1, %(n)s) g
), termed AS (
    SELECT b.*,
           CASE WHEN micro THEN (ARRAY[5, 10, 20])[1 + mod(h1, 3)]
                WHEN mod(h1, 100) = 0 THEN 360
                ELSE (ARRAY[12, 24, 36, 48, 60])[1 + mod(h1 / 100, 5)] END AS term
      FROM base b
), drawn AS (
    SELECT t.*,
           -- Days since the draw: 0 (drawn on D) to a year, short enough that the loan
           -- is still open (a contract month is at least 28 days).
           %(day)s::date - mod(h2, LEAST(366, t.term * 28 - 8))::integer AS start_date
      FROM termed t
)
SELECT g AS id, micro, term, start_date,
       CASE WHEN micro THEN 'equal_principal'
            WHEN mod(h3, 10) < 7 THEN 'equal_installment' ELSE 'equal_principal' END AS method,
       CASE WHEN micro THEN (ARRAY[0.0002, 0.0003, 0.0004, 0.0005])[1 + mod(h3, 4)]::numeric(12, 8)
            END AS daily_rate,
       CASE WHEN NOT micro THEN (ARRAY[0.0435, 0.049])[1 + mod(h3 / 10, 2)]::numeric(12, 8)
            END AS annual_rate,
       CASE WHEN micro THEN (100 * (5 + mod(h4, 396)))::numeric(16, 2)
            WHEN term = 360 THEN (1000 * (200 + mod(h4, 801)))::numeric(16, 2)
            ELSE (1000 * (10 + mod(h4, 491)))::numeric(16, 2) END AS principal,
       CASE WHEN NOT micro THEN extract(day FROM start_date)::integer
            WHEN extract(day FROM start_date) >= 29 THEN 21
            ELSE extract(day FROM start_date)::integer END AS repayment_day,
       -- Which loans are behind, and by how many installments (1, 2, 3 or 4-9).
       mod(abs(hashint8(g * 8 + 5)::bigint), 100) < 4 AS behind,
       (ARRAY[1, 2, 3, 4 + mod(abs(hashint8(g * 8 + 7)::bigint), 6)::integer])
           [1 + mod(abs(hashint8(g * 8 + 6)::bigint), 4)] AS behind_by,
       mod(abs(hashint8(g * 8 + 7)::bigint), 7) = 0 AS unpaid_yesterday,
       1 + mod(g - 1, %(users)s) AS borrower_id
  FROM drawn;

-- step: schedule_rows
-- Every row of every schedule: dates, opening balance, principal and interest.
CREATE TEMP TABLE bench_row AS
WITH dated AS (
    SELECT s.id AS loan_id, s.micro, s.term, s.method, s.daily_rate, s.annual_rate,
           s.principal AS loan_principal, k AS number,
           CASE WHEN s.micro THEN
                    make_date(extract(year FROM s.start_date + interval '1 month')::integer,
                              extract(month FROM s.start_date + interval '1 month')::integer,
                              s.repayment_day) + (k - 1) * interval '1 month'
                ELSE s.start_date + k * interval '1 month' END::date AS due_date,
           CASE WHEN k = 1 THEN s.start_date
                WHEN s.micro THEN
                    make_date(extract(year FROM s.start_date + interval '1 month')::integer,
                              extract(month FROM s.start_date + interval '1 month')::integer,
                              s.repayment_day) + (k - 2) * interval '1 month'
                ELSE s.start_date + (k - 1) * interval '1 month' END::date AS period_start_date
      FROM bench_shape s CROSS JOIN LATERAL generate_series(1, s.term) k
), split AS (
    -- Principal of each row but the last (which takes the rest). Equal principal:
    -- round(P / n). Equal installment (bank): M - round(B(k-1) * i), B(k-1) the balance
    -- after k - 1 payments of M in closed form, rounded to the fen.
    SELECT d.*,
           CASE WHEN d.method = 'equal_principal' THEN round(d.loan_principal / d.term, 2)
                ELSE m.payment - round(
                    round(d.loan_principal * power(1 + m.i, d.number - 1)
                          - m.payment * (power(1 + m.i, d.number - 1) - 1) / m.i, 2) * m.i, 2)
                END AS part
      FROM dated d
      CROSS JOIN LATERAL (
          SELECT d.annual_rate / 12 AS i,
                 CASE WHEN d.method = 'equal_installment' THEN
                      round(d.loan_principal * (d.annual_rate / 12)
                            * power(1 + d.annual_rate / 12, d.term)
                            / (power(1 + d.annual_rate / 12, d.term) - 1), 2) END AS payment
      ) m
), balanced AS (
    SELECT s.*,
           s.loan_principal - COALESCE(SUM(s.part) OVER (
               PARTITION BY s.loan_id ORDER BY s.number
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS opening_balance
      FROM split s
)
SELECT loan_id, number, period_start_date, due_date,
       due_date - period_start_date AS days, opening_balance,
       CASE WHEN number = term THEN opening_balance ELSE part END AS principal,
       CASE WHEN micro THEN round(opening_balance * daily_rate * (due_date - period_start_date), 2)
            ELSE round(opening_balance * annual_rate / 12, 2) END AS interest
  FROM balanced;

-- step: schedule_state
-- What has been paid by D, and each row's status on D (grace: 1 day).
CREATE TEMP TABLE bench_state AS
WITH counted AS (
    SELECT r.*, s.behind, s.behind_by, s.unpaid_yesterday,
           COUNT(*) FILTER (WHERE r.due_date < %(day)s::date) OVER (PARTITION BY r.loan_id)
               AS fallen_due,
           MIN(r.due_date) OVER (PARTITION BY r.loan_id) AS first_due
      FROM bench_row r JOIN bench_shape s ON s.id = r.loan_id
), paid AS (
    SELECT c.*,
           CASE WHEN c.due_date >= %(day)s::date THEN false
                WHEN c.behind AND c.first_due <= %(day)s::date - 2
                    THEN c.number <= c.fallen_due - c.behind_by
                WHEN c.unpaid_yesterday AND c.due_date = %(day)s::date - 1 THEN false
                ELSE true END AS is_paid
      FROM counted c
)
SELECT p.*,
       CASE WHEN p.is_paid THEN 'paid'
            WHEN p.due_date > %(day)s::date THEN 'pending'
            WHEN %(day)s::date - p.due_date > 1 THEN 'overdue'
            ELSE 'due' END AS status
  FROM paid p;

-- step: loans
INSERT INTO loans_loan
    (id, public_id, status, principal, term, method, daily_rate, annual_rate,
     installment_rounding_unit, grace_days, penalty_rate_multiplier, compound_interest_enabled,
     annualized_rate_simple, annualized_rate_irr, start_date, first_due_date, maturity_date,
     repayment_day, principal_outstanding, settled_date, created_at, borrower_id,
     credit_line_id, product_id, application_id, close_pending_from, fallback_repayment_day,
     late_first_draw_day, min_days_to_first_due, oldest_unpaid_due_date,
     partial_prepayment_interval_months, partial_prepayment_min, partial_prepayment_multiple,
     prepayment_fee_kind, prepayment_fee_percents, prepayment_min_months,
     prepayment_notice_days, repayment_allocation_order)
SELECT s.id, gen_random_uuid(), 'active', s.principal, s.term, s.method, s.daily_rate,
       s.annual_rate, 0.01, 1, 1.5, true,
       COALESCE(s.daily_rate * 360, s.annual_rate),
       COALESCE(s.daily_rate * 365, s.annual_rate), s.start_date, agg.first_due,
       agg.maturity, s.repayment_day, s.principal - agg.principal_paid, NULL, now(),
       s.borrower_id, NULL,
       (SELECT id FROM loans_loanproduct
         WHERE code = CASE WHEN s.micro THEN 'bench-micro' ELSE 'bench-bank' END),
       NULL, NULL, 21, 29, 15, agg.oldest_unpaid, 12, 10000, NULL, 'none', '[]', 6, 10,
       '["penalty", "compound", "overdue_interest", "overdue_principal", "current_interest", "current_principal"]'
  FROM bench_shape s
  JOIN (SELECT loan_id, MIN(due_date) AS first_due, MAX(due_date) AS maturity,
               SUM(CASE WHEN is_paid THEN principal ELSE 0 END) AS principal_paid,
               MIN(due_date) FILTER (WHERE NOT is_paid) AS oldest_unpaid
          FROM bench_state GROUP BY loan_id) agg ON agg.loan_id = s.id
 ORDER BY s.id;

-- step: schedule_versions
INSERT INTO loans_scheduleversion
    (id, number, reason, effective_date, principal, source, note, created_at, actor_id, loan_id)
SELECT id, 1, 'contract', start_date, principal, 'system', '', now(), NULL, id
  FROM bench_shape ORDER BY id;

-- step: installments
INSERT INTO loans_installment
    (number, status, period_start_date, due_date, days, opening_balance, principal, interest,
     principal_paid, interest_paid, penalty_paid, compound_paid, paid_date, loan_id,
     compound_accrued_before_span, compound_span_start_date, interest_accrued_before_span,
     interest_span_base, interest_span_start_date, penalty_accrued_before_span,
     penalty_span_start_date, schedule_version_id, accruing)
SELECT number, status, period_start_date, due_date, days, opening_balance, principal,
       interest,
       CASE WHEN is_paid THEN principal ELSE 0 END,
       CASE WHEN is_paid THEN interest ELSE 0 END, 0, 0,
       CASE WHEN is_paid THEN due_date END, loan_id, 0, NULL, 0, opening_balance,
       period_start_date, 0, NULL, loan_id,
       status = 'pending' AND period_start_date <= %(day)s::date AND %(day)s::date < due_date
  FROM bench_state ORDER BY loan_id, number;

-- step: sequences
SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), (SELECT MAX(id) FROM accounts_user)),
       setval(pg_get_serial_sequence('loans_loan', 'id'), (SELECT MAX(id) FROM loans_loan)),
       setval(pg_get_serial_sequence('loans_scheduleversion', 'id'),
              (SELECT MAX(id) FROM loans_scheduleversion));

-- step: calendar
UPDATE common_businesscalendar SET "current_date" = %(day)s::date, state = 'open', updated_at = now()
 WHERE id = 1;
