// Typecheck-only: the SDK's hand-written public types (public-types.ts) match the router's.
// Not imported by index.ts, so it is neither bundled nor part of the published declarations; a
// change to a schema in @holdfast/api fails `npm run typecheck` here until the SDK type follows.
import type { AppRouter } from '@holdfast/api';
import type { TRPCClient } from '@trpc/client';
import type { Serialize } from '@trpc/server/unstable-core-do-not-import';
import type {
  PreauthResult,
  PushBeginResult,
  PushContext,
  PushStatusResult,
  WebauthnAuthenticationResponse,
  WebauthnBeginResult,
  WebauthnRegistrationBeginResult,
  WebauthnRegistrationResponse,
} from './public-types';

type Procedures = TRPCClient<AppRouter>;
type Mutation = Procedures['verify']['webauthnFinish']['mutate'];
type InputOf<M extends (...args: never[]) => unknown> = Parameters<M>[0];
type OutputOf<M extends (...args: never[]) => unknown> = Awaited<ReturnType<M>>;

// Same keys (so an optional field added on one side is caught) and assignable both ways.
type IsSameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
type IsSame<A, B> = IsSameKeys<A, B> extends true ? ([A] extends [B] ? ([B] extends [A] ? true : false) : false) : false;
type Holds<T extends true> = T;

type AuthenticationInput = InputOf<Mutation>['response'];
type StepUpInput = InputOf<Procedures['enrollment']['stepUpWebauthnFinish']['mutate']>['response'];
type RegistrationInput = InputOf<Procedures['webauthn']['finishRegistration']['mutate']>['response'];
// What the router returns is the JSON of the options object @simplewebauthn built (tRPC types it as
// serialized JSON); the SDK hands it on typed as the JSON interface the browser library takes.
type PreauthOutput = Awaited<ReturnType<Procedures['preauth']['query']>>;
type AuthFactor = Extract<PreauthResult, { result: 'auth' }>['factors'][number];
type AuthFactorOutput = Extract<PreauthOutput, { result: 'auth' }>['factors'][number];
type BeginOutput = OutputOf<Procedures['verify']['webauthnBegin']['mutate']>;
type StepUpBeginOutput = OutputOf<Procedures['enrollment']['stepUpWebauthnBegin']['mutate']>;
type RegistrationBeginOutput = OutputOf<Procedures['webauthn']['beginRegistration']['mutate']>;
type PushBeginInput = InputOf<Procedures['verify']['pushBegin']['mutate']>;
type PushBeginOutput = OutputOf<Procedures['verify']['pushBegin']['mutate']>;
type PushStatusOutput = OutputOf<Procedures['verify']['pushStatus']['query']>;

export type RouterContract = [
  Holds<IsSame<PreauthResult, PreauthOutput>>,
  Holds<IsSame<AuthFactor, AuthFactorOutput>>,
  Holds<IsSame<WebauthnAuthenticationResponse, AuthenticationInput>>,
  Holds<IsSame<WebauthnAuthenticationResponse['response'], AuthenticationInput['response']>>,
  Holds<IsSame<WebauthnAuthenticationResponse, StepUpInput>>,
  Holds<IsSame<WebauthnRegistrationResponse, RegistrationInput>>,
  Holds<IsSame<WebauthnRegistrationResponse['response'], RegistrationInput['response']>>,
  Holds<IsSame<Serialize<WebauthnBeginResult>, BeginOutput>>,
  Holds<IsSame<Serialize<WebauthnBeginResult['options']>, BeginOutput['options']>>,
  Holds<IsSame<Serialize<WebauthnBeginResult>, StepUpBeginOutput>>,
  Holds<IsSame<Serialize<WebauthnRegistrationBeginResult>, RegistrationBeginOutput>>,
  Holds<IsSame<Serialize<WebauthnRegistrationBeginResult['options']>, RegistrationBeginOutput['options']>>,
  Holds<IsSame<PushContext, NonNullable<PushBeginInput['context']>>>,
  Holds<IsSame<PushBeginResult, PushBeginOutput>>,
  Holds<IsSame<PushStatusResult, PushStatusOutput>>,
];
