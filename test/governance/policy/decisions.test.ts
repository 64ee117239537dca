import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicy, evaluate, type RequestContext } from '../../../src/governance/policy/index.ts';
import { alice, carlos, carlosPolicy, identity, queue, queueFor, reports, root } from './fixtures.ts';

/** What a decision carries beyond Allow or Deny, the clock, and the per-action memo. */

describe('policy evaluation: decisions', () => {
  it('names the policy, the Sid and the kind that decided', () => {
    const d = evaluate({
      principal: carlos,
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::carlossalazar-logs/f',
      identityPolicies: [carlosPolicy],
    });
    assert.deepEqual(d, {
      decision: 'ExplicitDeny',
      matched: { policy: 'carlossalazar/inline', sid: 'DenyS3Logs', kind: 'identity' },
    });
    const r = evaluate({
      principal: alice,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [],
      resourcePolicy: queueFor('*', 'Deny'),
    });
    assert.deepEqual(r.matched, { policy: 'queue:q', sid: 'Q', kind: 'resource' });
  });

  it('gives root and implicit denies no matched statement', () => {
    assert.equal(
      evaluate({ principal: root, action: 'sqs:SendMessage', resource: queue, identityPolicies: [] }).matched,
      undefined,
    );
    assert.equal(
      evaluate({ principal: alice, action: 'sqs:SendMessage', resource: queue, identityPolicies: [] })
        .matched,
      undefined,
    );
  });

  it('takes aws:CurrentTime from `now` when the context lacks it', () => {
    const window = identity('window', {
      Statement: {
        Effect: 'Allow',
        Action: 'sqs:*',
        Resource: '*',
        Condition: {
          DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' },
          NumericGreaterThan: { 'aws:EpochTime': 1700000000 },
        },
      },
    });
    const at = (now: number, context?: RequestContext) =>
      evaluate({
        principal: alice,
        action: 'sqs:SendMessage',
        resource: queue,
        identityPolicies: [window],
        now,
        ...(context ? { context } : {}),
      }).decision;
    assert.equal(at(Date.UTC(2029, 0, 1)), 'Allow');
    assert.equal(at(Date.UTC(2031, 0, 1)), 'ImplicitDeny');
    assert.equal(
      at(Date.UTC(2029, 0, 1), { 'aws:CurrentTime': '2031-01-01T00:00:00Z' }),
      'ImplicitDeny',
      'the context wins',
    );
  });

  it('memoises per action without mixing actions up', () => {
    for (let i = 0; i < 3; i++) {
      assert.equal(
        evaluate({ principal: alice, action: 'iam:GetUser', resource: '*', identityPolicies: [reports] })
          .decision,
        'Allow',
      );
      assert.equal(
        evaluate({
          principal: alice,
          action: 'iam:GetCredentialReport',
          resource: '*',
          identityPolicies: [reports],
        }).decision,
        'ExplicitDeny',
      );
    }
    const noMemo = compilePolicy(reports.document, { kind: 'identity', name: 'r', actionCache: 0 });
    assert.equal(
      evaluate({ principal: alice, action: 'iam:ListRoles', resource: '*', identityPolicies: [noMemo] })
        .decision,
      'Allow',
    );
  });
});
