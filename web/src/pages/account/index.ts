// The account pages, one lazily loaded chunk: the market never waits for them.
export { AccountPage } from './AccountPage.js';
export { ForgotPasswordPage, SignInPage, SignUpPage } from './SignInPages.js';
export { MagicLinkPage, ResetPasswordPage, VerifyEmailPage } from './TokenPages.js';
