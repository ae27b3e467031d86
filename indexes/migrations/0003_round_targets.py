import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('indexes', '0002_intervals'),
        ('surveys', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='RoundTargets',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sipas', models.DecimalField(decimal_places=2, default=90, max_digits=5, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='chỉ tiêu SIPAS (%)')),
                ('domain', models.DecimalField(decimal_places=2, default=80, max_digits=5, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='chỉ tiêu của các lĩnh vực trọng điểm (%)')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='cập nhật lúc')),
                ('domains', models.ManyToManyField(blank=True, related_name='+', to='surveys.domain', verbose_name='lĩnh vực trọng điểm')),
                ('round', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='targets', to='surveys.surveyround')),
            ],
            options={
                'verbose_name': 'chỉ tiêu của đợt',
                'verbose_name_plural': 'chỉ tiêu của các đợt',
            },
        ),
    ]
