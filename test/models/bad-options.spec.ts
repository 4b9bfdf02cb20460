import { describe, expect, it } from 'vitest';
import { createCoordinator } from '@shardgrad/coordinator';
import { initNodeBackend } from '@shardgrad/backends/node';

/** A mistyped option must stop the run before it starts, saying what is allowed. */
describe('curriculum model and dataset options', () => {
  const refuse = async (opts: Parameters<typeof createCoordinator>[0], message: RegExp) => {
    await initNodeBackend('wasm');
    await expect(createCoordinator({ port: 0, ...opts })).rejects.toThrow(message);
  };

  it('refuses bad playground options', async () => {
    await refuse({ model: 'playground', modelConfig: { activation: 'swish' } }, /activation must be one of tanh, relu, sigmoid, linear/);
    await refuse({ model: 'playground', modelConfig: { hidden: '8,0' } }, /hidden must list 1 to 8 layer sizes/);
    await refuse({ model: 'playground', modelConfig: { dropout: 0.5 } }, /does not use dropout/);
    await refuse({ model: 'playground', datasetOptions: { noise: 2 } }, /noise must be a number in \[0, 0.5\]/);
    await refuse({ model: 'playground', dataset: 'moons' }, /does not train on dataset "moons".*circle, xor, gaussian, spiral/);
  });

  it('refuses options the other models do not have', async () => {
    await refuse({ model: 'regression', datasetOptions: { city: 'Boston' } }, /takes no options/);
    // mnist, the default dataset, took any option and ignored it (Fashion-MNIST's trainLimit, a typo).
    await refuse({ model: 'mnist-mlp', datasetOptions: { trainLimit: 500 } }, /dataset "mnist" takes no options \(besides classes, trainPerClass and testPerClass\), got: trainLimit/);
    await refuse({ model: 'autoencoder', modelConfig: { latent: 0 } }, /latent must be an integer in \[1, 512\]/);
    await refuse({ model: 'multilabel', modelConfig: { heads: 3 } }, /has no option "heads"/);
  });
});
