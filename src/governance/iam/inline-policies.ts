import { noSuchEntity } from './errors.ts';
import { checked, type Input } from './input.ts';
import { checkInlineSize, validateIdentityPolicy } from './policy-documents.ts';
import { type InlinePolicy, nameKey, type PolicyHolder } from './records.ts';

/**
 * The inline policies of users and roles, in memory, by holder. Each holder's documents are
 * kept as one array, rebuilt only when that holder's policies change (`documents`).
 */
export class InlinePolicies {
  private readonly byHolder = new Map<string, Map<string, InlinePolicy>>();
  private readonly docs = new Map<string, readonly string[]>();

  private of(holder: PolicyHolder, name: string): Map<string, InlinePolicy> | undefined {
    return this.byHolder.get(`${holder}:${nameKey(name)}`);
  }

  set(p: InlinePolicy): void {
    const key = `${p.holder}:${nameKey(p.holderName)}`;
    let m = this.byHolder.get(key);
    if (!m) {
      m = new Map();
      this.byHolder.set(key, m);
    }
    m.set(nameKey(p.name), p);
    this.docs.delete(key);
  }

  delete(holder: PolicyHolder, holderName: string, name: string): void {
    const key = `${holder}:${nameKey(holderName)}`;
    const m = this.byHolder.get(key);
    m?.delete(nameKey(name));
    if (m?.size === 0) this.byHolder.delete(key);
    this.docs.delete(key);
  }

  /** Policy names of one holder, in name order. */
  names(holder: PolicyHolder, holderName: string): string[] {
    const m = this.of(holder, holderName);
    if (!m) return [];
    return [...m.values()].map((p) => p.name).sort((a, b) => (nameKey(a) < nameKey(b) ? -1 : 1));
  }

  documents(holder: PolicyHolder, holderName: string): readonly string[] {
    const key = `${holder}:${nameKey(holderName)}`;
    let docs = this.docs.get(key);
    if (!docs) {
      docs = Object.freeze([...(this.byHolder.get(key)?.values() ?? [])].map((p) => p.document));
      this.docs.set(key, docs);
    }
    return docs;
  }

  /** The policy `PolicyName` of the holder, or IAM's NoSuchEntity. */
  existing(holder: PolicyHolder, holderName: string, input: Input): InlinePolicy {
    const { PolicyName } = checked(input, { PolicyName: ['policyName', 'required'] });
    const p = this.of(holder, holderName)?.get(nameKey(PolicyName!));
    if (!p) throw noSuchEntity(`The ${holder} policy with name ${PolicyName} cannot be found.`);
    return p;
  }

  /**
   * Checks a Put…Policy request against the holder's other policies: the document's grammar,
   * then the holder's size quota. Returns the policy to store; a put of an existing name (in
   * any case) replaces its document and keeps its name.
   */
  check(holder: PolicyHolder, holderName: string, input: Input): InlinePolicy {
    const { PolicyName, PolicyDocument } = checked(input, {
      PolicyName: ['policyName', 'required'],
      PolicyDocument: ['policyDocument', 'required'],
    });
    validateIdentityPolicy(PolicyDocument!);
    const m = this.of(holder, holderName);
    const key = nameKey(PolicyName!);
    const others = [...(m?.values() ?? [])].filter((p) => nameKey(p.name) !== key).map((p) => p.document);
    checkInlineSize(holder, holderName, [...others, PolicyDocument!]);
    return { holder, holderName, name: m?.get(key)?.name ?? PolicyName!, document: PolicyDocument! };
  }
}
