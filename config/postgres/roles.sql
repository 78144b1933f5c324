-- The two database roles of microlend (docs/deployment.md), run once by a superuser:
--   psql -v owner=microlend_owner -v app=microlend_app -v db=microlend -f config/postgres/roles.sql
-- The owner role owns the database and every table and runs the migrations; the
-- application role owns nothing and gets, after every migration, only the privileges it
-- needs (common/db/grants.py): no TRUNCATE, no DDL, no UPDATE or DELETE of insert-only
-- tables. Passwords are set separately (ALTER ROLE ... PASSWORD) where auth is not trust.
\set ON_ERROR_STOP on
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'owner')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'owner') \gexec
