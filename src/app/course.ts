import type { Localized } from './i18n.tsx';

/** Course block 4 ("Data management in microservices"): chapters in teaching order. */
export interface Chapter {
  number: number;
  title: Localized;
  summary: Localized;
  final?: boolean;
}

export const CHAPTERS: readonly Chapter[] = [
  {
    number: 1,
    title: { ru: 'Database per Service', en: 'Database per Service' },
    summary: {
      ru: 'Каждый сервис владеет своими данными; доступ к чужим — только через API.',
      en: 'Each service owns its data; other services reach it only through its API.',
    },
  },
  {
    number: 2,
    title: { ru: 'Распределённые транзакции и альтернативы', en: 'Distributed transactions and alternatives' },
    summary: {
      ru: '2PC, CAP на практике, BASE против ACID.',
      en: '2PC, CAP in practice, BASE versus ACID.',
    },
  },
  {
    number: 3,
    title: { ru: 'Паттерн Saga', en: 'The Saga pattern' },
    summary: {
      ru: 'Хореография и оркестрация, компенсирующие действия.',
      en: 'Choreography and orchestration, compensating actions.',
    },
  },
  {
    number: 4,
    title: { ru: 'Event Sourcing и CQRS', en: 'Event Sourcing & CQRS' },
    summary: {
      ru: 'Хранилище событий, проекции и модели чтения, версионирование событий.',
      en: 'Event store, projections and read models, event versioning.',
    },
  },
  {
    number: 5,
    final: true,
    title: { ru: 'Итоговый проект: электронная коммерция', en: 'Final project: an e-commerce system' },
    summary: {
      ru: 'Всё вместе: владение данными, саги, события и модели чтения.',
      en: 'Everything together: data ownership, sagas, events and read models.',
    },
  },
];
