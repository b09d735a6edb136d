// Request and response shapes of the account API. Bodies refuse unknown
// fields (S23). Tokens are plain strings here on purpose: their format is
// checked in code, so a malformed token gets the same answer as an expired
// one instead of a validation message of its own (S15).
import { Type } from 'typebox';

export const AUTH_BODY_LIMIT_BYTES = 1024;

/** Checked after trimming (`parseEmail`), which refuses anything but one mailbox with a clear message (S15). */
const Email = Type.String({ maxLength: 320 });
/** Loose bounds only; the password policy gives the real rule with a clear message. */
const Password = Type.String({ maxLength: 1024 });
const Token = Type.String();

export const NoContent = Type.Null({ description: 'Done; no body' });

export const EndedJson = Type.Object(
  { ended: Type.Integer() },
  { description: 'How many sessions were ended' },
);

export const UserJson = Type.Object(
  {
    id: Type.Integer(),
    email: Type.Union([Type.String(), Type.Null()]),
    email_verified: Type.Boolean(),
    name: Type.Union([Type.String(), Type.Null()]),
    avatar_url: Type.Union([Type.String(), Type.Null()]),
    role: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
  },
  { description: 'The user' },
);

export const SignedInJson = Type.Object(
  { user: UserJson, csrf_token: Type.String() },
  { description: 'Signed in: the user, and the CSRF token of the new session' },
);

export const CsrfJson = Type.Object(
  {
    csrf_token: Type.String(),
    /** Whether the token is bound to a session: the page can tell who is signed in without a 401. */
    signed_in: Type.Boolean(),
  },
  { description: 'The token to send as X-CSRF-Token, and whether this browser is signed in' },
);

export const SignUpBody = Type.Object(
  { email: Email, password: Password, name: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: false },
);

export const CredentialsBody = Type.Object(
  { email: Email, password: Password },
  { additionalProperties: false },
);

export const EmailBody = Type.Object({ email: Email }, { additionalProperties: false });

export const TokenBody = Type.Object({ token: Token }, { additionalProperties: false });

export const TokenQuery = Type.Object({ token: Type.Optional(Type.String()) });

export const ConfirmSignUpBody = Type.Object(
  { token: Token, password: Password },
  { additionalProperties: false },
);

export const ResetBody = Type.Object(
  { token: Token, password: Password },
  { additionalProperties: false },
);

export const ChangePasswordBody = Type.Object(
  { current_password: Password, new_password: Password },
  { additionalProperties: false },
);

export const ProfileBody = Type.Object(
  {
    name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
    avatar_url: Type.Optional(
      Type.Union([
        Type.String({ format: 'uri', pattern: '^https://', maxLength: 2048 }),
        Type.Null(),
      ]),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const SessionJson = Type.Object({
  id: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  last_seen_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
  ip: Type.String(),
  user_agent: Type.String(),
  current: Type.Boolean(),
});

export const SessionList = Type.Object(
  { sessions: Type.Array(SessionJson) },
  { description: 'Every live session of the user, this one marked `current`' },
);

export const SessionParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
