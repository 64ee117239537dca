import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessDeniedMessage, denyReason, evaluate } from '../../../src/governance/policy/index.ts';
import { alice, queue, queueFor, session } from './fixtures.ts';

/**
 * Access-denied messages in AWS's current shape:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */

describe('accessDeniedMessage', () => {
  const user = `arn:aws:iam::000000000000:user/alice`;
  const q = 'arn:aws:sqs:us-east-1:000000000000:q';

  it('words an implicit deny as AWS does', () => {
    assert.equal(
      accessDeniedMessage(user, 'sqs:SendMessage', q, 'ImplicitDeny'),
      'User: arn:aws:iam::000000000000:user/alice is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:000000000000:q because no identity-based policy allows the sqs:SendMessage action',
    );
  });

  it('words explicit denies by the kind of policy', () => {
    assert.equal(
      accessDeniedMessage(user, 'sqs:SendMessage', q, 'IdentityDeny'),
      `User: ${user} is not authorized to perform: sqs:SendMessage on resource: ${q} with an explicit deny in an identity-based policy`,
    );
    assert.equal(
      accessDeniedMessage(user, 'sqs:SendMessage', q, 'ResourceDeny'),
      `User: ${user} is not authorized to perform: sqs:SendMessage on resource: ${q} with an explicit deny in a resource-based policy`,
    );
    assert.equal(
      accessDeniedMessage(user, 'sqs:SendMessage', q, 'NoResourceAllow'),
      `User: ${user} is not authorized to perform: sqs:SendMessage on resource: ${q} because no resource-based policy allows the sqs:SendMessage action`,
    );
  });

  it('takes a decision directly, and refuses an Allow', () => {
    const d = evaluate({
      principal: alice,
      action: 'sqs:SendMessage',
      resource: queue,
      identityPolicies: [],
      resourcePolicy: queueFor('*', 'Deny'),
    });
    assert.equal(denyReason(d), 'ResourceDeny');
    assert.match(
      accessDeniedMessage(alice.arn, 'sqs:SendMessage', queue, d),
      /with an explicit deny in a resource-based policy$/,
    );
    assert.throws(() => denyReason({ decision: 'Allow' }), TypeError);
  });

  it('introduces a role session as "User:" too', () => {
    assert.match(
      accessDeniedMessage(session.arn, 'sqs:SendMessage', queue, 'ImplicitDeny'),
      /^User: arn:aws:sts::123456789012:assumed-role\/worker\/fn-1 is not authorized/,
    );
  });
});
