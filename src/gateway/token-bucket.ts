/**
 * API Gateway's throttling model: a token bucket that holds up to `burst` tokens and refills at
 * `rate` tokens per second; each request takes one, and a request that finds none gets 429.
 * Time is passed in (the gateway reads its injected Clock), so tests drive it with ManualClock.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  /** `rate`: tokens per second; `burst`: most tokens held; `now`: ms, when the bucket starts full. */
  constructor(
    readonly rate: number,
    readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes a token at time `now` (ms); false when the bucket is empty. */
  take(now: number): boolean {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
