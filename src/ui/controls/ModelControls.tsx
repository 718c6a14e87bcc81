// Model controls: the student preset (parameter count, cost relative to deit-micro, a rough hint, and what this
// session measured once a run of it has trained), whether it has the distillation token, and the teacher (shipped
// checkpoint, or trained in the page).
import {
  DATASETS, ENUM_VALUES, NUMERIC_RANGES, STUDENT_PRESETS, STUDENT_PRESET_NAMES, TEACHER_MODELS, studentMacs, studentParamCount,
  type StudentPreset, type TeacherModelName, type TeacherSource,
} from '../../engine/config';
import { shippedTeacherLabel, useShippedTeachers } from '../files/shippedTeachers';
import { formatCompact } from '../format';
import { useAppStore } from '../hooks/useAppStore';
import { useThrottledStore } from '../hooks/useThrottledStore';
import { useParam } from '../hooks/useParam';
import { selectStudentPace } from '../store/selectors';
import { Checkbox } from './Checkbox';
import { NumberField } from './NumberField';
import { RadioGroup, type RadioOption } from './RadioGroup';
import { TeacherFileControl } from './TeacherFileControl';

const COST_HINT: Record<StudentPreset, string> = {
  'deit-nano': 'tiny: fine on CPU backends',
  'deit-micro': 'default: minutes on a laptop GPU',
  'deit-mini': 'wants a discrete GPU',
  'deit-ti': 'the paper’s DeiT-Ti: slow in a browser',
};

const TEACHERS: readonly RadioOption<TeacherSource>[] = [
  { value: 'pretrained', label: 'Shipped, pre-trained', description: 'Trained offline on all 60k training images; loads in a second.' },
  { value: 'train', label: 'Train now', description: 'Trains the chosen teacher here first (watch its progress bar).' },
];

const TEACHER_MODEL_NOTE: Record<TeacherModelName, string> = {
  cnn: 'convnet: 3 convs + a dense layer',
  'cnn-matched': 'the same CNN, stopped at the transformer’s accuracy (the paper compares teachers of similar accuracy)',
  vit: 'a DeiT without the distillation token, trained on labels only',
};

export function ModelControls() {
  const [student, setStudent] = useParam('student');
  const [distToken, setDistToken] = useParam('distToken');
  const [teacher, setTeacher] = useParam('teacher');
  const [teacherModel, setTeacherModel] = useParam('teacherModel');
  const [teacherEpochs, setTeacherEpochs] = useParam('teacherEpochs');
  const dataset = useAppStore((s) => s.config.dataset);
  const distillation = useAppStore((s) => s.config.distillation);
  const info = DATASETS[dataset];
  const shipped = useShippedTeachers(dataset);
  const teacherModels: RadioOption<TeacherModelName>[] = ENUM_VALUES.teacherModel.map((m) => {
    const rec = shipped[m];
    const size = rec && !('error' in rec) ? `${formatCompact(rec.parameters)} params · ` : '';
    const offline = teacher === 'train' && !TEACHER_MODELS[m].trainable;
    return {
      value: m,
      label: shippedTeacherLabel(m, rec),
      description: offline ? 'a shipped checkpoint only: choose “Shipped, pre-trained” to use it' : `${size}${TEACHER_MODEL_NOTE[m]}`,
      disabled: offline,
    };
  });
  // Measured beats rough: once a preset has trained in this session, its hint says how fast it went here.
  const measured = useThrottledStore((st) => Object.fromEntries(STUDENT_PRESET_NAMES.map((name) => {
    const p = selectStudentPace(st, name);
    return [name, p ? `measured here: ~${p.imagesPerSec} images/s (run #${p.runNumber}, batch ${p.batchSize})` : ''];
  })) as Record<StudentPreset, string>, { ticks: 5 });
  const base = studentMacs(STUDENT_PRESETS['deit-micro'], info, distToken);
  const options: RadioOption<StudentPreset>[] = STUDENT_PRESET_NAMES.map((name) => {
    const arch = STUDENT_PRESETS[name];
    const macs = studentMacs(arch, info, distToken);
    const ratio = macs / base;
    return {
      value: name,
      label: <>{name} <span className="muted">{arch.embedDim}d × {arch.depth}</span></>,
      description: `${formatCompact(studentParamCount(arch, info, distToken))} params · ${formatCompact(macs)} MAC/img (${ratio < 1 ? ratio.toFixed(2) : ratio.toFixed(0)}× micro) · ${measured[name] || COST_HINT[name]}`,
    };
  });
  return (
    <section className="control-section" aria-labelledby="sec-models">
      <h2 id="sec-models">Models</h2>
      <RadioGroup name="student" legend="Student (DeiT)" value={student} options={options} onChange={setStudent} testId="student" />
      <Checkbox
        id="distToken" label="Distillation token (DeiT⚗)" checked={distToken} onChange={setDistToken}
        hint={distToken
          ? 'Two tokens, two heads: the distillation term trains headDist on its own token.'
          : 'No distillation token: class token only, one head; the distillation term trains the class head (the paper’s “usual distillation”).'}
      />
      <RadioGroup
        name="teacherModel" legend="Teacher" value={teacherModel} options={teacherModels} onChange={setTeacherModel} testId="teacher-model"
        hint={`Accuracy on the full test set, as recorded in each shipped checkpoint${teacher === 'train' ? ' (a teacher trained now reports its own)' : ''}.`}
      />
      <RadioGroup
        name="teacher" legend="Teacher weights" value={teacher} options={TEACHERS}
        onChange={(v) => {
          // A matched-accuracy CNN exists only as a checkpoint: training now means the CNN itself.
          if (v === 'train' && !TEACHER_MODELS[teacherModel].trainable) setTeacherModel('cnn');
          setTeacher(v);
        }}
        testId="teacher"
        hint={distillation === 'none' ? 'In none mode the teacher does not train the student; its accuracy is a reference.' : undefined}
      />
      <TeacherFileControl />
      <NumberField
        id="teacher-epochs" label="Teacher epochs" value={teacherEpochs} range={NUMERIC_RANGES.teacherEpochs}
        onCommit={setTeacherEpochs} testId="teacher-epochs" disabled={teacher !== 'train'}
        hint={teacher === 'train' ? 'Epochs over the training subset before the student starts.' : 'Only when training the teacher now.'}
      />
    </section>
  );
}
