/**
 * Realistic sample callers for demo mode and for `ring()` without a caller: fixed lists
 * walked in order, so a run is reproducible.
 */
import type { InvitationKind } from './types.js';

export interface SampleCaller {
  name: string;
  uri: string;
  subject: string;
  message: string;
}

const PEOPLE: ReadonlyArray<{ name: string; user: string }> = [
  { name: 'Lene Aaling', user: 'lenea' },
  { name: 'Adriana Giorgi', user: 'adrianag' },
  { name: 'Tosh Meston', user: 'toshm' },
  { name: 'Kenji Watanabe', user: 'kenjiw' },
  { name: 'Amara Okafor', user: 'amarao' },
  { name: 'Sofia Lindqvist', user: 'sofial' },
  { name: 'Mateo Fernández', user: 'mateof' },
  { name: 'Priya Raman', user: 'priyar' },
];

const TOPICS: Record<InvitationKind, ReadonlyArray<{ subject: string; message: string }>> = {
  messaging: [
    { subject: '', message: 'Hi there, got a minute?\r\n' },
    { subject: 'Quarterly report', message: 'Can you check the numbers on slide 4 before 3pm?\r\n' },
    { subject: '', message: 'Are you joining the standup today?\r\n' },
  ],
  phoneAudio: [
    { subject: '', message: '' },
    { subject: 'Customer escalation', message: '' },
  ],
  onlineMeeting: [
    { subject: 'Weekly sync', message: 'Please join the meeting now.\r\n' },
    { subject: 'Design review: new onboarding flow', message: 'We are starting, join when you can.\r\n' },
  ],
  audioVideo: [
    { subject: '', message: '' },
    { subject: 'Quick call about the release', message: '' },
  ],
};

export function sampleCaller(index: number, kind: InvitationKind): SampleCaller {
  const person = PEOPLE[index % PEOPLE.length]!;
  const topics = TOPICS[kind];
  const topic = topics[index % topics.length]!;
  return { name: person.name, uri: `sip:${person.user}@contoso.com`, subject: topic.subject, message: topic.message };
}
