import type { Classroom } from '@shardgrad/coordinator';

/** The one time the teacher token is shown: in the dashboard link printed at start. */
export function classroomEvent(room: Classroom): Record<string, unknown> {
  return { type: 'classroom', dashboardUrl: room.dashboardUrl, teacherUrl: room.teacherUrl, joinUrl: room.joinUrl, joinCode: room.auth.joinCode };
}
